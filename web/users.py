"""Accounts and the audit log, in the app's SQLite database (the file of web/store.py).

Tables beside the proposals: ``users`` (name, role, county, password
hash), ``login_failures`` (the lockout counters per name and client address, and per address
across names), ``audit`` (who did
what, when, to which object), ``former_names`` (the names renamed accounts had: given to no other account)
and ``ended_sessions`` (logins an account change ended, and why: their next request is told). Passwords are hashed by werkzeug.security
(scrypt, salted); nothing here ever stores or logs a password in clear.

Both faces use this module: the web app (web/auth.py) and ``coverplan users``
(cli/users.py), which manages the same database when no server is running
or while one is (WAL: the CLI and the server write the same file safely).
"""
from __future__ import annotations

import dataclasses
import functools
import json
import math
import secrets
import sqlite3
import time
import unicodedata
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from planner import textrules
from planner.i18n import t
from web.errors import shown_value  # refused values quoted as bad_param quotes them

ROLES = ("viewer", "planner", "admin")
#: Lockout: this many failed logins for one name from one client address within WINDOW seconds
#: lock that name, for that address, for LOCK seconds (see UserStore.authenticate).
MAX_FAILURES, WINDOW, LOCK = 5, 15 * 60, 5 * 60
#: Password spraying (QA 24): this many failed logins from one client address, whatever the names tried,
#: within ADDRESS_WINDOW seconds pause every login from that address for ADDRESS_LOCK seconds. One
#: password against 60 names in 10 s was never stopped (the lock above is per name) and wrote 60 lines
#: to the audit log. Generous enough for an office behind one address mistyping now and then.
ADDRESS_FAILURES, ADDRESS_WINDOW, ADDRESS_LOCK = 20, 10 * 60, 5 * 60
MIN_PASSWORD = 8
#: the longest password taken anywhere one is set (web and ``coverplan users``): a megabyte of
#: "password" was stored, and is hashed again at every login
MAX_PASSWORD = 1024
#: a login lasts at most this many days (then the person logs in again)
SESSION_DAYS = 30
MAX_NAME = 40

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role        TEXT NOT NULL,
    county      TEXT,               -- 6-digit county code; NULL = the whole city
    pw_hash     TEXT NOT NULL,
    stamp       TEXT NOT NULL,      -- changes with the password: older sessions stop working
    must_change INTEGER NOT NULL DEFAULT 0,
    disabled    INTEGER NOT NULL DEFAULT 0,
    created     REAL NOT NULL,
    updated     REAL
);
CREATE TABLE IF NOT EXISTS login_failures (
    name        TEXT PRIMARY KEY COLLATE NOCASE,
    count       INTEGER NOT NULL,
    first       REAL NOT NULL,
    locked_until REAL
);
CREATE TABLE IF NOT EXISTS audit (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          REAL NOT NULL,
    user_id     TEXT,
    user_name   TEXT,
    action      TEXT NOT NULL,
    object      TEXT,
    detail      TEXT,               -- JSON
    ip          TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    token       TEXT PRIMARY KEY,   -- one a login; deleted at logout
    user_id     TEXT NOT NULL,
    created     REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS ended_sessions (
    token       TEXT PRIMARY KEY,   -- a login ended by someone else (QA 32): its next request is told why
    user_id     TEXT NOT NULL,
    reason      TEXT NOT NULL,      -- ENDED_REASONS: "disabled", "reset" or "changed"
    created     REAL NOT NULL,      -- when the login began (forgotten SESSION_DAYS after, as the login)
    ended       REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS former_names (
    name        TEXT PRIMARY KEY COLLATE NOCASE,  -- a name an account had before a rename (QA 31)
    user_id     TEXT NOT NULL,      -- the account that had it: the name is given to no other
    until       REAL NOT NULL       -- when it was renamed
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action);
"""

#: Columns of ``users`` added after its first release (added in place on open): when and by whom (``user:<id>``, or
#: the command line's actor, "(command line) wang") its role, county and name were last changed, so that a change
#: made on a stale page is answered with who changed what, and when (QA 34; UserStore.update and rename).
ADDED_USER_COLUMNS = ("role_updated", "role_updated_by", "county_updated", "county_updated_by",
                      "name_updated", "name_updated_by")
#: The fields an admin page's ``was`` names (what it showed): checked against the account inside the change.
WAS_FIELDS = ("role", "county", "name")

#: Why a login was ended by an account change (UserStore.session_ended): the account was disabled, its password
#: reset (a one-time password) or set anew (by its holder in another session, or ``coverplan users passwd``).
ENDED_REASONS = ("disabled", "reset", "changed")

#: The "address" of the failures of a password change's current password (UserStore.check_current):
#: counted per account, whatever the address (a name never holds a tab, and no address reads so).
PASSWORD_CHANGE = "(password change)"

#: The "name" of an address's failures across names (UserStore.authenticate): with a space, which no
#: account name holds (check_name), so it is never one account's key.
ANY_NAME = "(any name)"

#: werkzeug's method for new password hashes: its default, scrypt at n = 2**15 (0.2 s a hash, on purpose). The test
#: suite lowers the work factor for its own accounts (tests/conftest.py), as its thousands of logins cost minutes of
#: CI; nothing else changes it.
PASSWORD_HASH = "scrypt"

#: A hash to check against when the name is unknown, so that a wrong name and a
#: wrong password take the same time (no probing for names by timing).
_DUMMY_HASH = generate_password_hash(secrets.token_hex(8))


class AccountError(ValueError):
    """A request about accounts that cannot be done; carries both languages."""

    def __init__(self, en: str, zh: str, code: str = "account") -> None:
        super().__init__(en)
        self.en, self.zh, self.code = en, zh, code

    def message(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Locked(AccountError):
    def __init__(self, seconds: float, what: str = "login") -> None:
        minutes = max(1, int(round(seconds / 60)))
        if what == "password":  # the current password asked by a password change (UserStore.check_current)
            super().__init__(f"Too many wrong current passwords: changing this account's password is locked for "
                             f"about {minutes} min.",
                             f"当前密码输错次数过多，该账号的密码修改已锁定，请约 {minutes} 分钟后再试。", "locked")
        else:
            super().__init__(f"Too many failed logins: this account is locked on this computer for about {minutes} min.",
                             f"登录失败次数过多，该账号在本机已锁定，请约 {minutes} 分钟后再试。", "locked")
        self.seconds = seconds


class AddressLocked(Locked):
    """Too many failed logins from one client address, whatever the names (password spraying)."""

    def __init__(self, seconds: float) -> None:
        minutes = max(1, int(round(seconds / 60)))
        AccountError.__init__(
            self, f"Too many failed logins from this computer's network address ({ADDRESS_FAILURES} within "
                  f"{ADDRESS_WINDOW // 60} min, whatever the user names): logins from it are paused for about "
                  f"{minutes} min. Try again then, or ask an administrator to lift the pause (/admin, Login locks).",
            f"本机网络地址的登录失败次数过多（{ADDRESS_WINDOW // 60} 分钟内 {ADDRESS_FAILURES} 次，不论用户名），"
            f"来自该地址的登录已暂停，请约 {minutes} 分钟后再试，或请管理员在管理页的“登录限制”中解除。", "throttled")
        self.seconds = seconds


class AccountDisabled(AccountError):
    """The right password for a disabled account (QA 27): said as such, and not counted as a failed login.
    A wrong password for it stays the generic "wrong user name or password" (UserStore.authenticate)."""

    def __init__(self, name: str, user_id: str | None = None) -> None:
        super().__init__("This account is disabled; contact your administrator.", "该账号已停用，请联系管理员。",
                         "disabled")
        self.name = name
        #: the account's id: its refused login is logged under it (QA 34: under the name only, a rename made it
        #: read as "no such account")
        self.user_id = user_id


class AccountConflict(AccountError):
    """A change made on what an admin page showed (``was``: the account's role, county, name) when another
    change has come in since (QA 34: a stale page's 保存 put back another admin's county, both answered 200).
    Nothing is written; ``details`` says which field, its value now, who changed it and when. A 409."""

    def __init__(self, en: str, zh: str, details: dict) -> None:
        super().__init__(en, zh, "conflict")
        self.details = details


@dataclass(frozen=True)
class User:
    """A signed-in person. The contract other modules rely on: ``id``, ``name``, ``role``,
    ``county`` (None = the whole city)."""

    id: str
    name: str
    role: str
    county: str | None = None
    stamp: str = ""
    must_change: bool = False
    disabled: bool = False
    created: float = 0.0
    #: this login's token (UserStore.open_session): logging out ends it, and only it
    session: str = ""

    # Flask-Login's user interface (UserMixin is not used: the session id carries the stamp)
    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return not self.disabled

    def get_id(self) -> str:
        # id, password stamp and login token: changing the password (or a reset) ends every older
        # session, logging out ends this one (a copy of the cookie kept elsewhere included)
        return f"{self.id}:{self.stamp}:{self.session}"

    @property
    def can_edit(self) -> bool:
        return self.role in ("planner", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def citywide(self) -> bool:
        """May change data of every county (admin, or a planner without a county)."""
        return self.is_admin or (self.role == "planner" and not self.county)

    def public(self) -> dict:
        return {"id": self.id, "name": self.name, "role": self.role, "county": self.county,
                "must_change": self.must_change, "disabled": self.disabled, "created": self.created}


#: The user of a server in open mode (a desk on 127.0.0.1): it may do everything.
LOCAL = User(id="local", name="local", role="admin", county=None, stamp="local")


def new_password() -> str:
    """A random one-time password a person can type (no 0/O, 1/l confusion)."""
    alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(14))


def check_role(role: str) -> str:
    if not isinstance(role, str) or role not in ROLES:
        raise AccountError(f"Unknown role {shown_value(role)}: use viewer, planner or admin.",
                           f"未知角色 {shown_value(role)}：可选 viewer（查看）、planner（规划）或 admin（管理员）。", "role")
    return role


#: Names the app itself writes where a person's name would stand (an author, the user of a server
#: without logins): an account of one of these names would be taken for the placeholder, and the
#: placeholder for him (QA 21). Compared case-insensitively, as account names are.
RESERVED_NAMES = {
    "local": ("the user of a server without logins (what is done there is recorded as “local”)",
              "免登录服务器上的用户（在那里所做的操作都记在“local”名下）"),
    "web": ("the author of data changes made on a server without logins by nobody named",
            "免登录服务器上未署名的数据修改的作者"),
    "coverplan": ("the author of the region's built-in data (data version 0)",
                  "区域内置数据（数据版本 0）的作者"),
    "unknown": ("the author of command-line data changes when the computer's user name is not known",
                "无法获知本机用户名时命令行数据修改的作者"),
    # what the version lists show for "web" (QA 32: an account named 本机 read as the open server's page)
    "本机": ("what the version lists call data changes made on a server without logins by nobody named",
           "版本列表对免登录服务器上未署名的数据修改的称呼"),
}


#: The rule of an account name, in words: the CLI's help, and the end of every refusal (check_name).
NAME_RULE = (f"A user name is 1 to {MAX_NAME} characters: the letters a-z and A-Z, also with accent or tone marks "
             "(é, ü, wáng, lǚ), Chinese characters (and 〇), the digits 0-9, the middle dot · (买买提·艾力) and ASCII "
             "signs such as _ . - @; no spaces, none of : / \\ ? # %, no letters of other scripts or letter-like signs "
             "(Cyrillic, Greek, Cherokee, a dotless ı, phonetic letters such as ᴀ: they read as common letters), no "
             "full-width or other compatibility forms (ｂ, ①, ﬁ), no invisible characters, and not dots alone.",
             f"用户名须为 1 至 {MAX_NAME} 个字符：拉丁字母 a-z、A-Z（可带声调或重音符号，如 é、ü、wáng、lǚ）、汉字（含〇）、"
             "数字 0-9、间隔号 ·（如 买买提·艾力）以及 _ . - @ 等 ASCII 符号；不含空格、: / \\ ? # %，不含其他文字的字母或形似字母的"
             "符号（如西里尔、希腊、切罗基字母，无点的 ı，音标字母 ᴀ：它们看起来与常见字母相同），不含全角或其他兼容形式"
             "（如 ｂ、①、ﬁ）和不可见字符，也不能只由点号组成。")

#: The signs a name may hold: the printable ASCII ones but : / \ ? # % (the space is refused on its own), and the
#: middle dot of transcribed names (买买提·艾力).
NAME_SIGNS = frozenset(c for c in map(chr, range(0x21, 0x7F)) if not c.isalnum() and c not in ":/\\?#%") | {"\u00b7"}

#: Dots typed for the middle dot of a name (katakana's, a bullet, a hyphenation point, operators): said to use ·.
_NAME_DOT_TWINS = frozenset("\u30fb\u2022\u2027\u2219\u22c5\u02d1\u16eb\u2e31\ua78f")

#: The Chinese names of the scripts whose letters a refusal names most often (else the English one is said).
_SCRIPTS_ZH = {"CYRILLIC": "西里尔", "GREEK": "希腊", "CHEROKEE": "切罗基", "LISU": "傈僳", "HIRAGANA": "平假名",
               "KATAKANA": "片假名", "HANGUL": "韩文", "BOPOMOFO": "注音", "ARABIC": "阿拉伯", "TIBETAN": "藏文",
               "MONGOLIAN": "蒙古文", "YI": "彝文", "HEBREW": "希伯来", "ARMENIAN": "亚美尼亚", "THAI": "泰文",
               "GEORGIAN": "格鲁吉亚", "DEVANAGARI": "天城文", "COPTIC": "科普特", "TIFINAGH": "提非纳"}


def _han(ch: str) -> bool:
    """A CJK ideograph: the CJK Unified Ideographs block and its extensions (A to the newest this Python knows),
    and 〇 (U+3007). Not the radicals nor the compatibility ideographs (NFC turns most into unified ones)."""
    return ch == "\u3007" or unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH-")


def _plain_latin(ch: str) -> bool:
    """An ASCII letter, or a Latin letter whose canonical (NFD) or compatibility (NFKD) decomposition is an ASCII
    letter and marks: é, ü, ǚ (pinyin's tones), ặ. Not ı, ǀ, ƅ, ł, ø, ß or the phonetic letters (ᴀ, ɡ): none of them
    decomposes so, and many read as a common letter."""
    if ch.isascii():
        return ch.isalpha()
    if not unicodedata.name(ch, "").startswith("LATIN "):
        return False
    for form in ("NFD", "NFKD"):
        parts = unicodedata.normalize(form, ch)
        if (parts[0].isascii() and parts[0].isalpha()
                and all(unicodedata.category(m) == "Mn" for m in parts[1:])):
            return True
    return False


def name_char_allowed(ch: str) -> bool:
    """Whether one character may stand in an account name (NAME_RULE): a plain or accented Latin letter, a CJK
    ideograph, a digit 0-9, an ASCII sign but : / \\ ? # % and the space, or the middle dot ·."""
    return ch in "0123456789" or ch in NAME_SIGNS or _plain_latin(ch) or _han(ch)


def _name_char_refusal(ch: str) -> tuple[str, str]:
    """Why ``ch`` (refused by name_char_allowed) is no character of a name, in English and Chinese."""
    uname = unicodedata.name(ch, "")
    cat = unicodedata.category(ch)
    if ch in _NAME_DOT_TWINS:
        return ("not the middle dot of a name: type · (U+00B7, MIDDLE DOT) between its parts instead",
                "不是姓名中的间隔号：请在姓名各部分之间改用 ·（U+00B7）")
    if uname.startswith("LATIN "):
        return ("a Latin letter other than a-z with or without accent or tone marks (é, ü, ǚ): it may read as a "
                "common letter (a dotless ı as i, a small capital ᴀ as A)",
                "是 a-z（可带声调或重音符号，如 é、ü、ǚ）以外的拉丁字母，看起来可能与常见字母相同（如无点的 ı 像 i，小型大写字母 ᴀ 像 A）")
    if uname.startswith("CJK ") or cat == "So" and "IDEOGRAPH" in uname:
        return ("a CJK sign outside the CJK Unified Ideographs (a radical or a compatibility form): type the character itself",
                "是统一汉字以外的汉字部首或兼容字符：请输入汉字本身")
    if cat.startswith("L"):
        words = []
        for w in uname.split(" "):
            if w in ("SMALL", "CAPITAL", "LETTER", "SYLLABLE", "LIGATURE", "CHARACTER", "VOWEL", "FINAL"):
                break
            words.append(w)
        script = " ".join(words).title() or "Other"
        zh = _SCRIPTS_ZH.get(" ".join(words), script if words else "其他文字的")
        return (f"{'an' if script[0] in 'AEIOU' else 'a'} {script} letter: a name holds letters a-z (with or without marks) and "
                "Chinese characters only, as letters of other scripts may read as Latin ones (Cyrillic а as a, "
                "Cherokee Ꭺ as A)",
                f"是{zh}字母：用户名只能使用拉丁字母 a-z（可带声调）和汉字，其他文字的字母可能看起来与拉丁字母相同"
                "（如西里尔字母 а 像 a，切罗基字母 Ꭺ 像 A）")
    if cat.startswith("M"):
        return ("a combining mark without a letter it makes one character with (only letters with a precomposed "
                "accented form are taken, such as é or ǚ)",
                "是组合符号，未与字母合成一个字符（只接受有预组合形式的带调字母，如 é、ǚ）")
    if cat.startswith("N"):
        return "a digit or number other than 0-9", "是 0-9 以外的数字"
    return ("a sign not allowed in a user name (the signs allowed are ASCII ones such as _ . - @, and the middle dot ·)",
            "是用户名中不允许的符号（只可使用 _ . - @ 等 ASCII 符号和间隔号 ·）")


def name_key(name: str) -> str:
    """What two account names that read alike share: NFKC, case-folded (Ａdmin, ADMIN, admin), without accents and
    tone marks (wáng.admin reads as wang.admin), the middle dot as a full stop (管理员·王, 管理员.王: QA 31). Names of
    other scripts that read as Latin ones (Cherokee Ꭺdmin) are not merged here: check_name refuses them. Chinese
    characters in their simplified form (城市規劃員 reads as 城市规划员: QA 32), by OpenCC's table."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFKC", plain).casefold().replace("·", ".")
    return _simplified(folded) if any(unicodedata.east_asian_width(c) == "W" for c in folded) else folded


@functools.cache
def _to_simplified():
    import opencc  # OpenCC's traditional -> simplified table (PyPI opencc)
    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    return _to_simplified().convert(text)


def _bad_name_char(name: str, i: int, why_en: str, why_zh: str) -> AccountError:
    """A refusal naming the ``i``-th character of ``name`` (escaped when it hides), its Unicode name, why, and the rule."""
    ch = name[i]
    code = f"U+{ord(ch):04X}"
    uname = unicodedata.name(ch, "")
    code = f"{code}, {uname}" if uname else code
    shown = textrules.escaped(ch) if textrules.refused(ch, multiline=False) else ch
    whole = textrules.escaped(name)
    return AccountError(f"The user name \"{whole}\": character {i + 1}, \"{shown}\" ({code}), is {why_en}. {NAME_RULE[0]}",
                        f"用户名“{whole}”第 {i + 1} 个字符“{shown}”（{code}）{why_zh}。{NAME_RULE[1]}", "name")


def check_name(name) -> str:
    """A user name as given to an account (added or renamed; names the rule now refuses stay usable: logins,
    changes and renames of such an account read it as stored). Taken in its NFC form (wa\u0301ng, as a Mac or a
    phone may send it, is wáng). An allow-list (NAME_RULE, QA 31): letters a-z with or without accent and tone marks,
    CJK ideographs, digits 0-9, the ASCII signs but : / \\ ? # %, and the middle dot ·; so no letter of another
    script or letter-like sign that reads as a Latin one (Cherokee Ꭺdmin, Lisu ꓮdmin, admın, ǀocal for local,
    Greek ΤΟΜ beside TOM). Also no character that hides, no full-width twin (ｂｏｓｓ reads as boss), not dots
    alone and not one of the names the app writes for nobody in particular (RESERVED_NAMES). A refusal names the
    character, its place and its Unicode name."""
    if name is not None and not isinstance(name, str):
        raise AccountError(f"A user name is text, in quotes (got {shown_value(name)}).",
                           f"用户名须为文本（带引号的字符串），收到 {shown_value(name)}。", "name")
    name = unicodedata.normalize("NFC", name.strip()) if isinstance(name, str) else ""
    if not name:
        raise AccountError(f"The user name is empty. {NAME_RULE[0]}", f"用户名为空。{NAME_RULE[1]}", "name")
    if len(name) > MAX_NAME:
        raise AccountError(f"The user name has {len(name)} characters, more than {MAX_NAME}. {NAME_RULE[0]}",
                           f"用户名有 {len(name)} 个字符，超过 {MAX_NAME} 个。{NAME_RULE[1]}", "name")
    bad = textrules.first_refused(name, multiline=False)
    for i, ch in enumerate(name):
        if bad == i:
            kind_en, kind_zh = textrules.char_kind(ch)
            raise _bad_name_char(name, i, kind_en, "是" + kind_zh)
        if ch.isspace():
            raise _bad_name_char(name, i, "a space", "是空格")
        # ':' separates the session id's parts; '/', '\\', '?', '#' and '%' would break the admin's
        # address of the account (/api/admin/users/<name>): such a name could be made but not managed
        if ch in ':/\\?#%':
            raise _bad_name_char(name, i, "not allowed in a user name (it would break the account's address)",
                                 "不能用于用户名（会破坏账号的网址）")
        plain = unicodedata.normalize("NFKC", ch)
        if plain != ch and all(name_char_allowed(c) for c in plain):  # ｂ, ①, ﬁ: said with what to type
            raise _bad_name_char(name, i, f"a full-width or compatibility form of \"{plain}\": type \"{plain}\" instead",
                                 f"是“{plain}”的全角或兼容形式，请改用“{plain}”")
        if not name_char_allowed(ch):
            raise _bad_name_char(name, i, *_name_char_refusal(ch))
    if unicodedata.normalize("NFKC", name) != name:  # a sequence only (each character passed): said as a whole
        raise AccountError(f"The user name \"{name}\" is not in its plain form (NFKC). {NAME_RULE[0]}",
                           f"用户名“{name}”不是标准形式（NFKC）。{NAME_RULE[1]}", "name")
    if set(name) <= {".", "·"}:
        # "." and ".." are path segments a browser drops from the address (QA 19): made, but not manageable
        raise AccountError(f"The user name \"{name}\" is dots alone. {NAME_RULE[0]}",
                           f"用户名“{name}”只由点号组成。{NAME_RULE[1]}", "name")
    why = next((w for k, w in RESERVED_NAMES.items() if name_key(k) == name_key(name)), None)  # 本機 too
    if why is not None:
        raise AccountError(f"The name {shown_value(name)} is reserved: the app uses it for {why[0]}, so an account "
                           "of that name would be mistaken for it. Choose another name.",
                           f"用户名“{name}”为系统保留名称：系统用它表示{why[1]}，同名账号会与之混淆。请另选一个用户名。",
                           "name")
    return name


#: What a password may not be made of alone: characters that show as nothing (spaces, zero-width
#: characters and other format characters, controls); nobody could tell what he typed.
_INVISIBLE = ("Cc", "Cf", "Zs", "Zl", "Zp")


def check_password(password) -> str:
    """A password to be set (every place one is set: the web's forms and API, ``coverplan users``)."""
    if not isinstance(password, str):
        # 12345678 or ["abcdefgh1"] in JSON: the text of a number or a list was stored (QA 21)
        raise AccountError(f"A password is text, in quotes (got {shown_value(password)}).",
                           f"密码须为文本（带引号的字符串），收到 {shown_value(password)}。", "password")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password has at least {MIN_PASSWORD} characters.",
                           f"密码至少 {MIN_PASSWORD} 个字符。", "password")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"A password has at most {MAX_PASSWORD:,} characters (this one has {len(password):,}).",
                           f"密码最多 {MAX_PASSWORD} 个字符（当前 {len(password)} 个）。", "password")
    for ch in password:
        cat = unicodedata.category(ch)
        if cat == "Cs":  # "\ud800" in JSON: half of a character, which no hash can take
            raise AccountError("A password may not hold an invalid character (half of a surrogate pair, "
                               f"\\u{ord(ch):04x}).",
                               f"密码不能包含无效字符（不成对的代理项 \\u{ord(ch):04x}）。", "password")
        if cat == "Cc":  # NUL, a tab, a line break, ESC...: nobody types them into a login form
            raise AccountError("A password may not hold control characters such as a line break, a tab or NUL "
                               f"(this one holds \\u{ord(ch):04x}): nobody could type it on the login page.",
                               f"密码不能包含换行、制表符、NUL 等控制字符（此密码含 \\u{ord(ch):04x}），否则无法在登录页输入。",
                               "password")
    if all(unicodedata.category(ch) in _INVISIBLE for ch in password):
        raise AccountError("A password may not be made only of spaces or invisible characters (such as zero-width "
                           "spaces): nobody could see what he types. Use letters, digits or signs.",
                           "密码不能只由空格或不可见字符（如零宽空格）组成，否则无法看清所输入的内容。请使用字母、数字或符号。",
                           "password")
    return password


def _county_for_planners() -> AccountError:
    # one message for creating and for changing an account: the same combination is refused the same way
    return AccountError("Only a planner is limited to a county (viewers see and admins manage everything).",
                        "只有规划人员可限定县区（查看者可查看全部，管理员管理全部）。", "county")


class UserStore:
    """Users, login failures and the audit log in the SQLite file ``path``."""

    readonly = False

    def __init__(self, path: str | Path, counties: dict[str, str] | None = None,
                 counties_en: dict[str, str] | None = None, *, readonly: bool = False) -> None:
        self.path = Path(path)
        #: county code -> name, to check a planner's county (None: any 6-digit code)
        self.counties = counties
        #: county code -> English name: the counties an English message lists (else the Chinese names)
        self.counties_en = counties_en or counties
        #: only reads (``coverplan users audit``): opened read-only (SQLite ``mode=ro``), no table made or changed
        self.readonly = readonly
        if readonly:
            return
        try:
            from geo.dbfile import private_dir
            private_dir(self.path.parent, narrow=False)  # 0700 when made here (QA 35); one given is the user's
            with self._connect() as con:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(SCHEMA)
                have = {r["name"] for r in con.execute("PRAGMA table_info(users)")}
                for col in ADDED_USER_COLUMNS:
                    if col not in have:
                        con.execute(f"ALTER TABLE users ADD COLUMN {col} {'REAL' if col.endswith('updated') else 'TEXT'}")
        except (OSError, sqlite3.OperationalError) as exc:
            # a folder that refuses the file (no permission, read-only, /proc): sqlite3's "unable to open database
            # file" was a traceback (QA 28); said in a sentence naming the file
            if isinstance(exc, sqlite3.OperationalError) and not any(
                    w in str(exc) for w in ("unable to open", "readonly", "read-only", "disk I/O")):
                raise
            from geo.errors import InputDataError

            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise InputDataError(f"The database {self.path} cannot be opened for writing ({why}): its folder "
                                 f"{self.path.parent} must be one coverplan may write in.",
                                 f"无法以写入方式打开数据库 {self.path}（{why}）：其所在的文件夹 {self.path.parent} "
                                 "须可由 coverplan 写入。",
                                 hint_en="Give a database in a writable folder (--db or COVERPLAN_VAR).",
                                 hint_zh="请改用可写文件夹中的数据库（--db 或 COVERPLAN_VAR）。",
                                 details={"path": str(self.path)}) from None

    @contextmanager
    def _connect(self):
        if self.readonly:
            con = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
        else:
            con = sqlite3.connect(self.path, timeout=10)
        con.row_factory = sqlite3.Row
        try:
            yield con
            con.commit()
        finally:
            con.close()

    @contextmanager
    def _write(self):
        """One write transaction taken at its start (BEGIN IMMEDIATE): what is read in it cannot change
        before it commits, as another writer (a thread of the server, ``coverplan users``) waits for it.
        Rolled back when the block raises."""
        from geo.dbfile import immediate

        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)  # transactions by hand
        con.row_factory = sqlite3.Row
        try:
            with immediate(con):
                yield con
        finally:
            con.close()

    # -- logins ---------------------------------------------------------------------------------
    def open_session(self, user: User) -> User:
        """``user`` with a new login token, recorded; logins older than SESSION_DAYS are dropped."""
        token = secrets.token_hex(16)
        now = time.time()
        with self._connect() as con:
            con.execute("DELETE FROM sessions WHERE created < ?", (now - SESSION_DAYS * 86400,))
            con.execute("INSERT INTO sessions (token, user_id, created) VALUES (?, ?, ?)", (token, user.id, now))
        return dataclasses.replace(user, session=token)

    def session_open(self, user_id: str, token: str) -> bool:
        if not token:
            return False
        with self._connect() as con:
            row = con.execute("SELECT created FROM sessions WHERE token = ? AND user_id = ?", (token, user_id)).fetchone()
        return row is not None and row["created"] >= time.time() - SESSION_DAYS * 86400

    def close_session(self, token: str) -> None:
        with self._connect() as con:
            con.execute("DELETE FROM sessions WHERE token = ?", (token,))

    @staticmethod
    def _end_sessions(con: sqlite3.Connection, user_id: str, reason: str) -> None:
        """End every login of ``user_id`` on ``con`` (in the caller's transaction), keeping why (ENDED_REASONS): the
        next request of such a login is told the account was disabled or its password reset (QA 32: it was "please
        log in first"). Only a cookie holding the ended login's token learns it (:meth:`session_ended`)."""
        now = time.time()
        con.execute("DELETE FROM ended_sessions WHERE created < ?", (now - SESSION_DAYS * 86400,))
        con.execute("INSERT OR REPLACE INTO ended_sessions (token, user_id, reason, created, ended) "
                    "SELECT token, user_id, ?, created, ? FROM sessions WHERE user_id = ?", (reason, now, user_id))
        con.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,))

    def session_ended(self, user_id: str, token: str) -> str | None:
        """Why the login ``token`` of ``user_id`` was ended by an account change (ENDED_REASONS), or None: a token
        never handed out, one logged out, or one older than SESSION_DAYS (a login that would have run out anyway)."""
        if not token or not user_id:
            return None
        with self._connect() as con:
            row = con.execute("SELECT reason, created FROM ended_sessions WHERE token = ? AND user_id = ?",
                              (token, user_id)).fetchone()
        if row is None or row["created"] < time.time() - SESSION_DAYS * 86400:
            return None
        return row["reason"]

    @staticmethod
    def _user(r: sqlite3.Row | None) -> User | None:
        if r is None:
            return None
        return User(id=r["id"], name=r["name"], role=r["role"], county=r["county"] or None, stamp=r["stamp"],
                    must_change=bool(r["must_change"]), disabled=bool(r["disabled"]), created=r["created"])

    def check_county(self, county) -> str | None:
        if county in (None, ""):
            return None
        if isinstance(county, bool) or not isinstance(county, (str, int, float)):
            raise AccountError(f"Unknown county {shown_value(county)}: a county is a 6-digit code or its name.",
                               f"未知县区 {shown_value(county)}：县区须为6位区划代码或县区名称。", "county")
        if self.counties is not None:
            from planner.coverage import match_county

            # 420325, 房县, Fang County, fang, and the code as 420325.0 or 4.20325e5 (as a proposal's county)
            code = match_county(county, self.counties, self.counties_en or {})
            if code is not None:
                return code
            known = "、".join(f"{k} {v}" for k, v in self.counties.items())
            known_en = ", ".join(f"{k} {v}" for k, v in (self.counties_en or self.counties).items())
            raise AccountError(f"Unknown county {shown_value(county)}: use one of {known_en}.",
                               f"未知县区 {shown_value(county)}，可选：{known}。", "county")
        if isinstance(county, float) and math.isfinite(county) and county == int(county):
            county = int(county)
        county = str(county).strip()
        if not (len(county) == 6 and county.isdigit()):
            raise AccountError(f"A county is a 6-digit code (got {shown_value(county)}).",
                               f"县区须为6位区划代码（当前 {shown_value(county)}）。", "county")
        return county

    # -- users -----------------------------------------------------------------------
    def count(self) -> int:
        with self._connect() as con:
            return con.execute("SELECT COUNT(*) FROM users").fetchone()[0]

    def add(self, name: str, role: str, county: str | None = None, password: str | None = None,
            must_change: bool | None = None) -> tuple[User, str | None]:
        """Create a user; with no password a random one is made and returned (to be changed at first login)."""
        name, role = check_name(name), check_role(role)
        county = self.check_county(county)
        if county and role != "planner":
            raise _county_for_planners()
        generated = None
        if password is None:
            generated = password = new_password()
        check_password(password)
        if must_change is None:
            must_change = generated is not None
        uid = uuid.uuid4().hex[:12]
        self._check_free(name)  # said before the (slow) hash; checked again with the insert, in one transaction
        pw_hash = generate_password_hash(password, method=PASSWORD_HASH)
        try:
            with self._write() as con:
                self._check_free(name, con=con)
                con.execute("INSERT INTO users (id, name, role, county, pw_hash, stamp, must_change, created) "
                            "VALUES (?,?,?,?,?,?,?,?)",
                            (uid, name, role, county, pw_hash, secrets.token_hex(8), int(must_change), time.time()))
        except sqlite3.IntegrityError:
            raise AccountError(f"A user named {shown_value(name)} exists already.", f"用户名“{name}”已存在。", "exists") from None
        return self.get(uid), generated

    def _check_free(self, name: str, exclude: str | None = None, con: sqlite3.Connection | None = None) -> None:
        """Refuse ``name`` when an account but ``exclude`` (an id) has it or one that reads the same, or had it
        before a rename (former_names): the audit log and the data versions name that account so, and a second
        person under the name would read as him (QA 31). Read on ``con`` when given (inside its write transaction)."""
        if con is None:
            with self._connect() as own:
                return self._check_free(name, exclude, own)
        key = name_key(name)
        twin = next((u for u in map(self._user, con.execute("SELECT * FROM users ORDER BY name"))
                     if name_key(u.name) == key and u.id != exclude), None)
        if twin is not None and twin.name == name:
            raise AccountError(f"A user named {shown_value(name)} exists already.", f"用户名“{name}”已存在。", "exists")
        if twin is not None and twin.name.lower() == name.lower():  # the account named, as it is written (QA 31)
            raise AccountError(f"The user name {shown_value(name)} is the existing account {shown_value(twin.name)} "
                               "written in other case: names are told apart by more than case.",
                               f"用户名“{name}”即已有账号“{twin.name}”（仅大小写不同）：用户名不区分大小写。", "exists")
        if twin is not None:
            # STRASSE beside Straße, ǅ beside Ǆ...: a second account that reads as an existing one (QA 27)
            raise AccountError(f"The user name {shown_value(name)} reads as the existing account "
                               f"{shown_value(twin.name)} (the same once full-width forms, case, accents and tone marks are set aside, "
                               "· read as . and traditional Chinese characters as simplified). "
                               "Choose a name that differs in more than that.",
                               f"用户名“{name}”与已有账号“{twin.name}”实为同名（忽略全角形式、大小写、声调和重音符号，把 · 视同 .、繁体字视同简体字后相同）。"
                               "请另选一个用户名。",
                               "exists")
        rows = con.execute("SELECT f.name, f.user_id, f.until, u.name AS now_named FROM former_names f "
                           "LEFT JOIN users u ON u.id = f.user_id").fetchall()
        was = next((r for r in rows if name_key(r["name"]) == key and r["user_id"] != exclude), None)
        if was is not None:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(was["until"]))
            now_named = was["now_named"] or was["user_id"]
            raise AccountError(f"The user name {shown_value(name)} was the name of another account, now named "
                               f"{shown_value(now_named)}, until its rename on {when}: the audit log and the data "
                               f"versions record that account's earlier work under it ({was['name']}), so it is not "
                               "given to anyone else. Choose another name.",
                               f"用户名“{name}”曾是另一个账号（现名“{now_named}”）的名称，该账号于 {when} 改名；审计日志和"
                               f"数据版本中该账号以前的记录仍以“{was['name']}”署名，因此该名称不再分配给其他人。请另选一个用户名。",
                               "exists")

    def rename(self, name: str, new: str, *, was: dict | None = None, by: str | None = None) -> User:
        """Give the account ``name`` the name ``new`` (checked as a new account's). Its id stays, so its
        proposals, its open sessions, its role and county stay; the audit log and the data versions keep the
        name each entry was made under, as history, and the old name is kept in former_names: no other account
        may take it (its entries would read as his). Its login failures (and locks) move to the new name, so a
        rename does not lift a lock. Read and written in one write transaction: two renames at once of one
        account take turns, and the second, its account no longer named ``name``, is refused (QA 34: it renamed the
        first's new name). ``was`` (what a page showed, checked_was) is checked in it too: a 409 naming who changed
        what since; ``by`` (``user:<id>``, or the command line's actor) is kept as who renamed it, and when."""
        user = self.target(name, was)  # an unknown account is said first, before what is wrong with the new name
        new = check_name(new)
        was = self.checked_was(was)
        with self._write() as con:
            row = self._current(con, user, name, was, by)
            self._check_was(con, row, was, by, name)
            old = row["name"]
            if new == old:
                raise AccountError(f"Nothing to change: the account is already named {shown_value(new)}.",
                                   f"没有需要修改的内容：账号已名为“{new}”。", "field")
            self._check_free(new, exclude=user.id, con=con)
            now = time.time()
            try:
                con.execute("UPDATE users SET name = ?, updated = ?, name_updated = ?, name_updated_by = ? WHERE id = ?",
                            (new, now, now, by, user.id))
            except sqlite3.IntegrityError:  # the same name under SQLite's NOCASE (checked above: a guard)
                raise AccountError(f"A user named {shown_value(new)} exists already.", f"用户名“{new}”已存在。",
                                   "exists") from None
            # the old name stays this account's; a name it had before and takes back is its current one again
            con.execute("INSERT OR REPLACE INTO former_names (name, user_id, until) VALUES (?, ?, ?)",
                        (old, user.id, now))
            con.execute("DELETE FROM former_names WHERE name = ? AND user_id = ?", (new, user.id))
            # a failure key is "name", or "name<TAB>address"; compared as SQLite compares names (NOCASE, lower():
            # ASCII letters only), never with Python's case folding: Émile -> émile once kept a guess's rows
            # under 'émile\t…', which the moved ones then hit (QA 31)
            of = "(name = ? OR lower(substr(name, 1, ?)) = lower(?))"
            old_args, new_args = (old, len(old) + 1, old + "\t"), (new, len(new) + 1, new + "\t")
            try:
                # failures under the new name but not the old one's were against no account (a guess): the old
                # name's take their place (wang -> Wang: the same rows, kept and moved)
                con.execute(f"DELETE FROM login_failures WHERE {of} AND NOT {of}", (*new_args, *old_args))
                con.execute(f"UPDATE login_failures SET name = ? || substr(name, ?) WHERE {of}",
                            (new, len(old) + 1, *old_args))
            except sqlite3.IntegrityError:
                raise AccountError(f"The login failures of {shown_value(old)} could not be moved to the new name "
                                   f"{shown_value(new)} (failures recorded under a spelling of it are in the way); "
                                   "nothing was changed. Lift the account's locks (/admin, Login locks, or coverplan "
                                   "users unlock) and rename it again.",
                                   f"无法将“{old}”的登录失败记录转到新用户名“{new}”（已有该名称另一种写法下的失败记录），"
                                   "未作任何修改。请先解除该账号的登录限制（管理页“登录限制”或 coverplan users unlock），再改名。",
                                   "failures") from None
        return self.get(user.id)

    def get(self, uid: str) -> User | None:
        with self._connect() as con:
            return self._user(con.execute("SELECT * FROM users WHERE id = ?", (uid,)).fetchone())

    def by_name(self, name: str) -> User | None:
        with self._connect() as con:
            return self._user(con.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone())

    def login_account(self, name) -> User | None:
        """The account a login's typed ``name`` names: the one of that name up to ASCII case (as stored, SQLite's
        NOCASE), else the one account whose name reads the same (name_key: 城市規劃員 is 城市规划员, WÁNG and wáng are
        wang; QA 33), as no two accounts are made so. None for no account, for a name longer than any account's
        (MAX_NAME), and for a spelling two accounts from before that rule share. Every account's name is read and
        folded whatever the answer, so a known name and an unknown one take as long."""
        if not isinstance(name, str):
            return None
        name = unicodedata.normalize("NFC", name.strip())  # as the names are stored (check_name)
        if not name or len(name) > MAX_NAME:
            return None
        key = name_key(name)
        with self._connect() as con:
            exact = self._user(con.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone())
            rows = con.execute("SELECT * FROM users").fetchall()
        alike = [r for r in rows if name_key(r["name"]) == key]
        return exact if exact is not None else self._user(alike[0]) if len(alike) == 1 else None

    def find(self, name: str) -> User:
        user = self.by_name(name) if isinstance(name, str) else None
        if user is None:
            if isinstance(name, str):  # an account's former name: said, with its name now (QA 31)
                with self._connect() as con:
                    was = con.execute("SELECT u.name, f.until FROM former_names f JOIN users u ON u.id = f.user_id "
                                      "WHERE f.name = ?", (name,)).fetchone()
                if was is not None:
                    raise self._renamed_error(name, was["name"], was["until"])
            raise self._unknown(name)
        return user

    @staticmethod
    def _renamed_error(name: str, now_named: str, until: float | None) -> AccountError:
        """404: ``name`` is the former name of the account now named ``now_named`` (renamed at ``until``)."""
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(until)) if until else "?"
        return AccountError(f"No user named {shown_value(name)}: that account was renamed "
                            f"{shown_value(now_named)} on {when}.",
                            f"没有名为“{name}”的用户：该账号已于 {when} 改名为“{now_named}”。", "unknown")

    # -- a change made on what a page showed (QA 34) ---------------------------------------
    def checked_was(self, was) -> dict | None:
        """``was`` of a change (what an admin page showed: role, county, name), checked and made comparable (the
        county as its code, None for the whole city); None when not given (an API client, the command line: the
        change is made as before). A refusal names the field."""
        if was is None:
            return None
        shown = shown_value(was)

        def bad(why_en: str, why_zh: str) -> AccountError:
            return AccountError(f"was ({shown}) {why_en}: it records the role, county and/or name the page showed, "
                                "e.g. {\"role\": \"planner\", \"county\": \"420325\", \"name\": \"wang\"} (county null: the "
                                "whole city); it changes nothing itself.",
                                f"was（{shown}）{why_zh}：它记录页面所显示的角色、县区和/或用户名，如 "
                                "{\"role\": \"planner\", \"county\": \"420325\", \"name\": \"wang\"}（county 为 null 即全市）；"
                                "它本身不修改任何内容。", "was")
        if not isinstance(was, dict):
            raise bad("is not an object", "不是对象")
        extra = [k for k in was if k not in WAS_FIELDS]
        if extra:
            raise bad(f"holds the unknown field {shown_value(extra[0])}", f"含未知字段 {shown_value(extra[0])}")
        out = {}
        for key, value in was.items():
            if key == "county":
                try:
                    out[key] = self.check_county(value)
                except AccountError:
                    raise bad(f"names no county in its county {shown_value(value)}",
                              f"的 county {shown_value(value)} 不是县区") from None
            elif not isinstance(value, str) or not value.strip():
                raise bad(f"has no text in its {key} ({shown_value(value)})", f"的 {key}（{shown_value(value)}）不是文本")
            else:
                out[key] = unicodedata.normalize("NFC", value.strip())
        return out

    def county_label(self, code, lang: str = "zh") -> str:
        """房县（420325） / Fang County (420325) by this store's counties; 全市 / whole city for None."""
        if not code:
            return "whole city" if lang == "en" else "全市"
        names = (self.counties_en if lang == "en" else self.counties) or {}
        name = names.get(str(code))
        if not name:
            return str(code)
        return f"{name} ({code})" if lang == "en" else f"{name}（{code}）"

    def _field_words(self, field: str, value, lang: str) -> str:
        if field == "role":
            said = t("role_" + str(value), lang)
            return str(value) if said == "role_" + str(value) else said
        if field == "county":
            return self.county_label(value, lang)
        return textrules.escaped(str(value))

    def _changer(self, con: sqlite3.Connection, by: str | None, lang: str) -> str | None:
        """Who a ``*_updated_by`` names, in words: an account by its name now, the command line as 命令行（wang）;
        None when not known (a change from before it was recorded)."""
        kind, _, rest = str(by or "").partition(":")
        if kind == "user" and rest:
            r = con.execute("SELECT name FROM users WHERE id = ?", (rest,)).fetchone()
            return textrules.escaped(r["name"]) if r is not None else None
        if by:
            return actor_text({"user": by}, lang)
        return None

    def _conflict(self, con: sqlite3.Connection, row: sqlite3.Row, changed: list[str], was: dict, by: str | None,
                  shown_name: str) -> AccountConflict:
        """The 409 of a change made on a page that showed ``was``: per field changed since, its value now, who changed
        it and when (one sentence per change: a role made viewer that cleared the county is one change); a field
        whose change is not recorded is said to differ from what the page showed."""
        def when(at) -> str | None:
            try:
                stamp = time.localtime(float(at))
            except (TypeError, ValueError, OverflowError, OSError):
                return None
            today = time.localtime()
            return time.strftime("%H:%M" if stamp[:3] == today[:3] else "%Y-%m-%d %H:%M", stamp)

        labels = {"role": ("role", "角色"), "county": ("county", "县区"), "name": ("user name", "用户名")}
        groups: dict = {}
        unrecorded = []
        for f in changed:
            at = row[f"{f}_updated"] if f"{f}_updated" in row.keys() else None
            if when(at) is None:
                unrecorded.append(f)
            else:
                groups.setdefault((row[f"{f}_updated_by"], at), []).append(f)
        account_en, account_zh = textrules.escaped(shown_name), textrules.escaped(shown_name)
        en_parts, zh_parts, changes = [], [], []
        for (who_by, at), fields in groups.items():
            said = when(at)
            what_en = "; ".join(f"its {labels[f][0]} is now {self._field_words(f, row[f], 'en')}" for f in fields)
            what_zh = "，".join(f"{labels[f][1]}现为“{self._field_words(f, row[f], 'zh')}”" for f in fields)
            who_en, who_zh = self._changer(con, who_by, "en"), self._changer(con, who_by, "zh")
            if who_by and by and who_by == by and str(by).startswith("user:"):  # his own, in another tab or window
                en_parts.append(f"You changed the account {account_en} at {said} in another tab or window since this "
                                f"page showed it ({what_en})")
                zh_parts.append(f"打开本页后，您已于 {said} 在其他标签页或窗口中修改了账号“{account_zh}”（{what_zh}）")
            elif who_en:
                en_parts.append(f"{who_en} changed the account {account_en} at {said} since this page showed it ({what_en})")
                zh_parts.append(f"打开本页后，{who_zh}{' ' if who_zh[-1:].isascii() else ''}已于 {said} 修改了账号"
                                f"“{account_zh}”（{what_zh}）")
            else:
                en_parts.append(f"Someone else changed the account {account_en} at {said} since this page showed it "
                                f"({what_en})")
                zh_parts.append(f"打开本页后，他人已于 {said} 修改了账号“{account_zh}”（{what_zh}）")
            changes += [{"field": f, "value": row[f], "by": who_en, "by_zh": who_zh, "at": at} for f in fields]
        for f in unrecorded:
            en_parts.append(f"The {labels[f][0]} this page showed, {self._field_words(f, was[f], 'en')}, is not the "
                            f"account's, {self._field_words(f, row[f], 'en')}")
            zh_parts.append(f"页面显示的{labels[f][1]}“{self._field_words(f, was[f], 'zh')}”与账号现在的{labels[f][1]}"
                            f"“{self._field_words(f, row[f], 'zh')}”不符")
            changes.append({"field": f, "value": row[f], "by": None, "by_zh": None, "at": None})
        return AccountConflict(
            "; ".join(en_parts) + ": nothing was saved. Read the account as it is now, and make your change again "
            "if it is still wanted.",
            "；".join(zh_parts) + "：未保存。请查看账号现在的状态；如仍需修改，请重新操作。",
            {"changed": changed, "changes": changes, "account": row["id"],
             "current": {"role": row["role"], "county": row["county"] or None, "name": row["name"]}})

    def _check_was(self, con: sqlite3.Connection, row: sqlite3.Row, was: dict | None, by: str | None,
                   shown_name: str) -> None:
        """Raise the 409 of :meth:`_conflict` when ``was`` (checked_was) is not the account ``row`` as it is now."""
        if not was:
            return
        now = {"role": row["role"], "county": row["county"] or None, "name": row["name"]}
        changed = [f for f in WAS_FIELDS if f in was and was[f] != now[f]]
        if changed:
            raise self._conflict(con, row, changed, was, by, shown_name)

    def target(self, name: str, was=None) -> User:
        """The account a change names (:meth:`find`). A former name with ``was`` (a page that showed the account under
        it, renamed since) is that account: the change is then refused by :meth:`_current` with the 409 saying who
        renamed it and when; without ``was``, the 404 saying its name now."""
        try:
            return self.find(name)
        except AccountError as exc:
            if was is None or not isinstance(name, str):
                raise
            with self._connect() as con:
                r = con.execute("SELECT u.* FROM former_names f JOIN users u ON u.id = f.user_id WHERE f.name = ?",
                                (name,)).fetchone()
            if r is None:
                raise exc from None
            return self._user(r)

    def _current(self, con: sqlite3.Connection, user: User, name: str, was: dict | None, by: str | None) -> sqlite3.Row:
        """The account ``user`` read again inside a write transaction, when it is still named ``name`` (as SQLite
        compares names, NOCASE). Renamed meanwhile (QA 34: two renames at once, the second renamed the first's new
        name): with ``was`` (a page) the 409 saying who renamed it and when, else the 404 of a former name."""
        row = con.execute("SELECT * FROM users WHERE id = ? AND name = ?", (user.id, name)).fetchone()
        if row is not None:
            return row
        now = con.execute("SELECT * FROM users WHERE id = ?", (user.id,)).fetchone()
        if now is None:
            raise self._unknown(name)
        if was is not None:
            raise self._conflict(con, now, ["name"], {**was, "name": name}, by, name)
        f = con.execute("SELECT until FROM former_names WHERE name = ? AND user_id = ?", (name, user.id)).fetchone()
        raise self._renamed_error(name, now["name"], f["until"] if f is not None else now["name_updated"])

    @staticmethod
    def _unknown(name) -> AccountError:
        return AccountError(f"No user named {shown_value(name)}.", f"没有名为 {shown_value(name)} 的用户。", "unknown")

    def list(self) -> list[User]:
        with self._connect() as con:
            return [self._user(r) for r in con.execute("SELECT * FROM users ORDER BY name")]

    def set_password(self, name: str, password: str | None = None, *, must_change: bool = False) -> tuple[User, str | None]:
        """A new password (random when None: a reset, to be changed at next login). Ends older sessions."""
        user = self.find(name)
        generated = None
        if password is None:
            generated = password = new_password()
            must_change = True
        check_password(password)
        with self._connect() as con:
            con.execute("UPDATE users SET pw_hash = ?, stamp = ?, must_change = ?, updated = ? WHERE id = ?",
                        (generate_password_hash(password, method=PASSWORD_HASH), secrets.token_hex(8),
                         int(must_change), time.time(), user.id))
            # the new stamp ends them all; each is told why at its next request (QA 32)
            self._end_sessions(con, user.id, "reset" if generated is not None else "changed")
            self._clear_failures(con, user.name)
        return self.get(user.id), generated

    def update(self, name: str, *, role: str | None = None, county: str | None | bool = False,
               disabled: bool | None = None, was: dict | None = None, by: str | None = None) -> User:
        """Change role, county (``False``: unchanged; None: whole city) or the disabled flag.

        The rule "the last active admin stays" is checked and the change written in one write
        transaction: two admins demoting or disabling each other at the same moment both passed the
        check, each seeing the other still active, and left no admin at all (QA 21). ``was`` (what an admin page
        showed: role, county, name; checked_was) is checked in it too: changed since, the 409 of :meth:`_conflict`
        (QA 34: a stale page's save put back another admin's county). ``by`` (``user:<id>``, or the command line's
        actor) is kept as who last changed the role or the county, and when."""
        found = self.target(name, was)  # an unknown account is said first, before what is wrong with the change
        checked_role = check_role(role) if role is not None else None
        checked_county = False if county is False else self.check_county(county)
        was = self.checked_was(was)
        with self._write() as con:
            # read again inside the transaction: what another writer changed meanwhile counts
            row = self._current(con, found, name, was, by)
            self._check_was(con, row, was, by, name)
            user = self._user(row)
            new_role = checked_role or user.role
            new_county = user.county if checked_county is False else checked_county
            if new_role != "planner":
                if county is not False and new_county:
                    raise _county_for_planners()  # asked for a county the role cannot have: say so, never drop it
                new_county = None  # a planner made viewer or admin loses the county he had
            new_disabled = user.disabled if disabled is None else bool(disabled)
            if (new_role, new_county, new_disabled) == (user.role, user.county, user.disabled):
                # {"role": "viewer"} to a viewer answered 200 as if something had changed (QA 20)
                if role is None and county is False:  # a disable or enable alone
                    raise AccountError(f"Nothing to change: {user.name} is already {'disabled' if user.disabled else 'active'}.",
                                       f"没有需要修改的内容：{user.name} 已{'停用' if user.disabled else '启用'}。", "field")
                raise AccountError(f"Nothing to change: {user.name} already has this role, county and state.",
                                   f"没有需要修改的内容：{user.name} 的角色、县区和状态已是所选的。", "field")
            if (user.is_admin and (new_role != "admin" or new_disabled)
                    and self._active_admins(exclude=user.id, con=con) == 0):
                raise AccountError("This is the last active admin: make another admin first.",
                                   "这是最后一个有效的管理员账号，请先设置另一个管理员。", "last_admin")
            # disabling also changes the stamp: the person's open sessions end at once
            now = time.time()
            con.execute("UPDATE users SET role = ?, county = ?, disabled = ?, updated = ?, "
                        "stamp = CASE WHEN ? THEN ? ELSE stamp END, "
                        "role_updated = CASE WHEN ? THEN ? ELSE role_updated END, "
                        "role_updated_by = CASE WHEN ? THEN ? ELSE role_updated_by END, "
                        "county_updated = CASE WHEN ? THEN ? ELSE county_updated END, "
                        "county_updated_by = CASE WHEN ? THEN ? ELSE county_updated_by END WHERE id = ?",
                        (new_role, new_county, int(new_disabled), now, int(new_disabled and not user.disabled),
                         secrets.token_hex(8), new_role != user.role, now, new_role != user.role, by,
                         new_county != user.county, now, new_county != user.county, by, user.id))
            if new_disabled:  # each told so at its next request (QA 32)
                self._end_sessions(con, user.id, "disabled")
        return self.get(user.id)

    def _active_admins(self, exclude: str | None = None, con: sqlite3.Connection | None = None) -> int:
        """Active admins but ``exclude``; read on ``con`` when given (inside its write transaction)."""
        sql = "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id != ?"
        if con is not None:
            return con.execute(sql, (exclude or "",)).fetchone()[0]
        with self._connect() as own:
            return own.execute(sql, (exclude or "",)).fetchone()[0]

    # -- logging in --------------------------------------------------------------------
    def authenticate(self, name: str, password: str, now: float | None = None,
                     client: str | None = None, say_disabled: bool = False) -> User | None:
        """The user when name and password match and the account is usable; None otherwise.

        The right password of a disabled account is not counted as a failure; with ``say_disabled`` (the web
        login) it raises :class:`AccountDisabled`, else None. Only after the lock checks: a locked name or a
        paused address says nothing of the password.
        Raises :class:`Locked` while the name is locked (even with the right
        password: the lock is what stops guessing). With ``client`` (the web
        login passes the client's address) failures are counted and the lock
        holds per name *and* address: someone elsewhere who types wrong
        passwords for "admin" locks himself out, not the real admin at his desk.
        Failures from one address are also counted across names: ADDRESS_FAILURES of them
        raise :class:`AddressLocked` (a subclass of Locked) for every login from there, the
        right password included, for ADDRESS_LOCK seconds (one password tried against many names).
        A name longer than any account's (MAX_NAME) is a wrong name: it was cut to 40 characters
        and signed in as the account those began with (QA 24). Any spelling of an account's name that reads
        as it alone (:meth:`login_account`) is that account, its failures and lock included (QA 33).
        """
        now = time.time() if now is None else now
        # NFC as the names are stored (check_name): wa\u0301ng typed on a Mac is the account wáng
        name = unicodedata.normalize("NFC", name.strip()) if isinstance(name, str) else ""
        password = password if isinstance(password, str) else ""
        address = self._failure_key(ANY_NAME, client) if client else None
        if address is not None:
            f = self._failures(address)
            if f is not None and f["locked_until"] and f["locked_until"] > now:
                raise AddressLocked(f["locked_until"] - now)
        too_long = len(name) > MAX_NAME
        # the account the name reads as (login_account: 城市規劃員 logs in as 城市规划员, wáng as wang, QA 33); its
        # failures and lock are kept under its stored name, so no spelling of it gets round the lock
        user = self.login_account(name) if name and not too_long else None
        key = self._failure_key(user.name if user is not None else name, client)
        f = None if too_long else self._failures(key)
        if f is not None and f["locked_until"] and f["locked_until"] > now:
            if address is not None:  # knocking on a locked name counts too (and may pause the address)
                self._failed(address, now, ADDRESS_FAILURES, ADDRESS_WINDOW, ADDRESS_LOCK, AddressLocked)
            raise Locked(f["locked_until"] - now)
        with self._connect() as con:
            r = con.execute("SELECT pw_hash FROM users WHERE id = ?", (user.id,)).fetchone() if user else None
        ok = check_password_hash(r["pw_hash"] if r else _DUMMY_HASH, password)
        if ok and user is not None and not user.disabled:
            with self._connect() as con:
                con.execute("DELETE FROM login_failures WHERE name = ?", (key,))
            return user
        if ok and user is not None:
            # the right password for a disabled account: said so (he was told "wrong password" and locked
            # himself out trying again, QA 27), and not a failure. Only after the checks above: a paused
            # address or a locked name still answers "locked", whatever the password (no password oracle).
            if say_disabled:
                raise AccountDisabled(user.name, user.id)
            return None
        if name:
            paused = None
            if address is not None:
                try:
                    self._failed(address, now, ADDRESS_FAILURES, ADDRESS_WINDOW, ADDRESS_LOCK, AddressLocked)
                except AddressLocked as exc:
                    paused = exc
            if not too_long:
                try:
                    self._failed(key, now)
                except Locked:
                    if paused is None:
                        raise
            if paused is not None:
                raise paused
        return None

    # -- locks: lifted by an administrator (/admin) or ``coverplan users unlock`` (QA 27) ----------
    def locks(self, now: float | None = None) -> list[dict]:
        """The locks in force, soonest to end last: ``kind`` "name" (a name from one address), "address"
        (every login from an address, AddressLocked) or "password" (a password change, per account);
        ``key`` is what :meth:`lift` takes."""
        now = time.time() if now is None else now
        with self._connect() as con:
            rows = con.execute("SELECT * FROM login_failures WHERE locked_until > ? ORDER BY locked_until DESC",
                               (now,)).fetchall()
        out = []
        for r in rows:
            name, _, where = r["name"].partition("\t")
            if name == ANY_NAME:
                kind, name, address = "address", None, where
            elif where == PASSWORD_CHANGE:
                kind, address = "password", None
            else:
                kind, address = "name", where or None
            out.append({"key": r["name"], "kind": kind, "name": name, "address": address, "failures": r["count"],
                        "until": r["locked_until"], "seconds": max(1, int(r["locked_until"] - now))})
        return out

    def lift(self, key: str) -> dict | None:
        """Lift one lock (its ``key`` from :meth:`locks`): its failures are forgotten. The lock lifted, or None
        when there is none (run out meanwhile, or lifted by someone else)."""
        lock = next((x for x in self.locks() if x["key"] == key), None) if isinstance(key, str) else None
        if lock is not None:
            with self._connect() as con:
                con.execute("DELETE FROM login_failures WHERE name = ?", (key,))
        return lock

    def unlock(self, name: str | None = None, *, address: str | None = None, everything: bool = False) -> list[dict]:
        """Forget the failures of the account ``name`` (its locks from every address and its password
        change's), of the client ``address`` (its pause and its names' locks there), or all of them
        (``everything``). The locks that were in force, as :meth:`locks` lists them."""
        before = self.locks()
        with self._connect() as con:
            if everything:
                con.execute("DELETE FROM login_failures")
                return before
            if name is not None:
                self._clear_failures(con, name)
                lifted = [x for x in before if x["name"] is not None and x["name"].casefold() == name.casefold()]
            else:
                con.execute("DELETE FROM login_failures WHERE substr(name, -?) = ?", (len(address) + 1, "\t" + address))
                lifted = [x for x in before if x["address"] == address]
        return lifted

    def _failures(self, key: str):
        with self._connect() as con:
            return con.execute("SELECT * FROM login_failures WHERE name = ?", (key,)).fetchone()

    @staticmethod
    def _failure_key(name: str, client: str | None) -> str:
        # a name has no whitespace (check_name), so a tab cannot be part of it: "admin\t10.0.0.7"
        return f"{name}\t{client}" if name and client else name

    def _clear_failures(self, con, name: str) -> None:
        """Forget the failures of ``name`` from every address (a new password ends its locks)."""
        con.execute("DELETE FROM login_failures WHERE name = ? OR lower(substr(name, 1, ?)) = lower(?)",
                    (name, len(name) + 1, name + "\t"))

    def verify(self, uid: str, password: str) -> bool:
        """Whether ``password`` is this user's (a password change asks for the current one)."""
        with self._connect() as con:
            r = con.execute("SELECT pw_hash FROM users WHERE id = ?", (uid,)).fetchone()
        return bool(r) and isinstance(password, str) and check_password_hash(r["pw_hash"], password)

    def check_current(self, user: User, password: str, now: float | None = None) -> bool:
        """Whether ``password`` is ``user``'s current one, asked by a password change: wrong answers
        are counted as failed logins are (MAX_FAILURES within WINDOW lock the change for LOCK
        seconds, :class:`Locked` raised even for the right password meanwhile), per account and
        not per address: whoever holds a session (a copy of the cookie too) cannot guess on and on.
        """
        now = time.time() if now is None else now
        key = self._failure_key(user.name, PASSWORD_CHANGE)
        with self._connect() as con:
            f = con.execute("SELECT * FROM login_failures WHERE name = ?", (key,)).fetchone()
        if f is not None and f["locked_until"] and f["locked_until"] > now:
            raise Locked(f["locked_until"] - now, "password")
        if self.verify(user.id, password):
            with self._connect() as con:
                con.execute("DELETE FROM login_failures WHERE name = ?", (key,))
            return True
        try:
            self._failed(key, now)
        except Locked as exc:
            new = Locked(exc.seconds, "password")
            new.new = True
            raise new from None
        return False

    def _failed(self, name: str, now: float, limit: int = MAX_FAILURES, window: float = WINDOW,
                lock: float = LOCK, refusal: type[Locked] = Locked) -> None:
        """One more failure for ``name`` (a failure key: the name, or the name and the address, or
        ANY_NAME and the address); the ``limit``-th within ``window`` seconds raises ``refusal``
        (marked ``new``) and locks the key for ``lock`` seconds."""
        if not name:
            return
        with self._write() as con:  # read and counted in one transaction: two threads' failures both count
            f = con.execute("SELECT * FROM login_failures WHERE name = ?", (name,)).fetchone()
            if f is None or now - f["first"] > window or (f["locked_until"] and f["locked_until"] <= now):
                count, first = 1, now  # a new window (or the lock has run out: start counting again)
            else:
                count, first = f["count"] + 1, f["first"]
            locked = now + lock if count >= limit else None
            con.execute("INSERT OR REPLACE INTO login_failures (name, count, first, locked_until) VALUES (?,?,?,?)",
                        (name, count, first, locked))
        if locked:
            exc = refusal(lock)
            exc.new = True  # this failure set the lock (the log counts it as a failed login)
            raise exc

    # -- audit log ---------------------------------------------------------------------
    def audit(self, action: str, *, user: User | None = None, obj: str | None = None, detail: dict | None = None,
              ip: str | None = None, user_name: str | None = None, user_id: str | None = None) -> None:
        """One entry. ``user`` did it; or ``user_name`` with, where it names an account, ``user_id`` (a refused
        login of an account: QA 34, logged by name only it read as "no such account" once the account was renamed)."""
        with self._connect() as con:
            con.execute("INSERT INTO audit (at, user_id, user_name, action, object, detail, ip) VALUES (?,?,?,?,?,?,?)",
                        (time.time(), user.id if user else user_id, user.name if user else user_name, action,
                         None if obj is None else str(obj)[:200],
                         json.dumps(detail, ensure_ascii=False, default=str) if detail else None, ip))

    def audit_list(self, *, limit: int = 50, offset: int = 0, action: str | None = None,
                   user: str | None = None, q: str | None = None) -> tuple[int, list[dict]]:
        """(total matching, one page of entries, newest first)."""
        where, args = [], []
        if action:
            where.append("action = ?")
            args.append(action)
        if user:
            # the accounts that have or had the name (former_names): their entries by account id, whatever the name
            # each was made under (a renamed account's history, found by its new name or its old one, QA 31), and
            # the entries of no account id under any name the account has had (refused logins logged before they
            # carried the id: QA 34, found by the old name and not the new); when no account ever had the name, any
            # entry made under it
            ids = "(SELECT id FROM users WHERE name = ? UNION SELECT user_id FROM former_names WHERE name = ?)"
            names = (f"(SELECT name FROM users WHERE id IN {ids} "
                     f"UNION SELECT name FROM former_names WHERE user_id IN {ids})")
            where.append(f"(user_id IN {ids} OR (user_id IS NULL AND user_name COLLATE NOCASE IN {names}) OR "
                         f"(user_name = ? COLLATE NOCASE AND NOT EXISTS {ids}))")
            args += [user] * 2 + [user] * 4 + [user] + [user] * 2
        if q:
            where.append("(object LIKE ? ESCAPE '\\' OR detail LIKE ? ESCAPE '\\')")
            like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            args += [like, like]
        sql_where = (" WHERE " + " AND ".join(where)) if where else ""
        with self._connect() as con:
            total = con.execute(f"SELECT COUNT(*) FROM audit{sql_where}", args).fetchone()[0]
            rows = con.execute(f"SELECT * FROM audit{sql_where} ORDER BY id DESC LIMIT ? OFFSET ?",
                               (*args, int(limit), int(offset))).fetchall()
        out = []
        for r in rows:
            try:
                detail = json.loads(r["detail"]) if r["detail"] else {}
            except ValueError:
                detail = {}
            out.append({"id": r["id"], "at": r["at"], "user_id": r["user_id"], "user": r["user_name"],
                        "action": r["action"], "object": r["object"], "detail": detail, "ip": r["ip"]})
        return total, out

    def account_of(self, user_id: str | None, name: str | None) -> str | None:
        """The id of the account an audit entry's author is: by its id, else by a name the account has or had
        (former_names); None when neither names one (a name tried at the login that is no account, QA 27)."""
        with self._connect() as con:
            if user_id and con.execute("SELECT 1 FROM users WHERE id = ?", (user_id,)).fetchone() is not None:
                return user_id
            if not name:
                return None
            r = con.execute("SELECT id FROM users WHERE name = ? UNION ALL SELECT user_id FROM former_names "
                            "WHERE name = ?", (name, name)).fetchone()
        return r[0] if r is not None else None

    def worded(self, rows: list[dict], lang: str, detail_text=None) -> list[dict]:
        """Audit entries (audit_list's) as /api/admin/audit gives them and `coverplan users audit` prints them:
        ``action_text``, ``user_text`` (actor_text; a refused login under a name that is no account, by id nor by
        any name an account has or had, marked so with ``no_account``), ``object`` with what hides written out,
        ``detail_text`` (``detail_text(detail, lang)``; audit_detail_words by this store's counties without it)."""
        detail_text = detail_text or (lambda d, lg: audit_detail_words(d, lg, self.county_label))
        for r in rows:
            r["action_text"] = t("audit_" + r["action"], lang)
            r["user_text"] = actor_text(r, lang)
            r["object"] = textrules.escaped(r["object"])
            if r["action"] in ("login_failed", "login_locked") and r["user"] \
                    and self.account_of(r["user_id"], r["user"]) is None:
                # a name tried that is no account (аdmin, ａｄｍｉｎ): marked, not read as the real one (QA 27); an
                # account's entry made before its rename is its own (QA 34: "zhushan（无此账号）")
                r["no_account"] = True
                r["user_text"] += " (no such account)" if lang == "en" else "（无此账号）"
            r["detail_text"] = detail_text(r["detail"], lang)
        return rows

    def actions(self) -> list[str]:
        with self._connect() as con:
            return [r[0] for r in con.execute("SELECT DISTINCT action FROM audit ORDER BY action")]


# -- the audit log in words: /admin (web/auth.py admin_audit) and `coverplan users audit` alike (QA 34) --------
#: Who did it, for the entries written without a signed-in user (web/auth.py, cli/users.py).
AUDIT_ACTORS = {"(server start)": ("服务启动", "server start"), "(command line)": ("命令行", "command line")}
#: The actor of an account change by ``coverplan users``, with the computer's user: "(command line) wang" (QA 27).
CLI_ACTOR = "(command line) "
#: The user of a server in open mode (no login), by its id: an account may be named "local" too.
LOCAL_ACTOR = ("本机（免登录）", "local (no login)")
#: The data-edit actions of an "edit" entry (web/data.py EDIT_ACTIONS), in words.
EDIT_WORDS = {"add": ("新增设施", "facility added"), "move": ("移动设施", "facility moved"),
              "remove": ("删除设施", "facility removed"), "rename": ("设施更名", "facility renamed"),
              "update": ("修改设施属性", "facility details edited"), "mark": ("标记候选点", "candidate site marked"),
              "add_site": ("新增候选点", "candidate site added"), "move_site": ("移动候选点", "candidate site moved"),
              "remove_site": ("删除候选点", "candidate site removed")}
MARK_WORDS = {"required": ("必选", "required"), "forbidden": ("禁选", "forbidden"), "": ("取消标记", "mark cleared")}
#: Details shown as a label and the value as stored.
PLAIN_WORDS = {"version": ("数据版本 ", "data version "), "rolled_back_to": ("回退到版本 ", "back to version "),
               "file": ("文件 ", "file "), "name": ("名称 ", "name "), "note": ("备注 ", "note "),
               "kind": ("计算类别 ", "kind "), "account": ("账号 ", "account ")}


#: A job's kind as stored in its audit entry, in words (entries written before the type was stored say
#: only this: "计算类别 proposal" was shown, QA 21).
JOB_KIND_WORDS = {"proposal": ("方案计算", "proposal calculation"), "network": ("路网导入", "road-network import")}


def actor_text(row: dict, lang: str) -> str:
    """Who made an audit entry, in words: the server's own actors and the no-login user by name (the
    audit page and a deleted proposal's 404 say the same: the 404 said "local", QA 21)."""
    actor = AUDIT_ACTORS.get(row.get("user") or "") or (LOCAL_ACTOR if row.get("user_id") == LOCAL.id else None)
    if actor is None and (row.get("user") or "").startswith(CLI_ACTOR):  # "命令行（wang）"
        who = textrules.escaped(row["user"][len(CLI_ACTOR):])
        return f"command line ({who})" if lang == "en" else f"命令行（{who}）"
    # a name that hides characters (admin\u200b, a text-direction control) is written out, never rendered
    return (actor[1] if lang == "en" else actor[0]) if actor else textrules.escaped(row.get("user") or "")


def audit_detail_words(detail: dict, lang: str, county_label=None, params_text=None) -> str:
    """An audit entry's details as words in ``lang`` ("角色 管理员；服务启动时创建的首个管理员"),
    not the stored keys (role=admin first_admin=true). ``county_label(code, lang)`` names a county (the web's by the
    region it serves; the code alone without it); ``params_text(params, lang)`` a deleted proposal's question (the
    web's: web/proposals.py; as stored without it). web/auth.py audit_detail_text gives both."""
    en = lang == "en"

    def pick(pair):
        return pair[1] if en else pair[0]

    def role(r):
        return t("role_" + r, lang) if r in ROLES else str(r)

    def county(c):
        if not c:
            return pick(("全市", "whole city"))
        if isinstance(c, str) and "," in c:  # a city-wide planner's register of several counties (QA 35)
            return pick(("、", ", ")).join(county(x.strip()) for x in c.split(",") if x.strip())
        return county_label(c, lang) if county_label is not None else str(c)

    def ftype(key):
        try:
            from planner.facility_types import get_type

            return get_type(key).name(lang)
        except Exception:  # a type since removed: its key still says which one
            return str(key)

    def layer(name):  # as the data page's version list names it (web/data.py _version_dict)
        kind, _, key = str(name).partition(":")
        label = t("ds_layer_" + kind, lang)
        label = kind if label == "ds_layer_" + kind else label
        return label + (" · " + ftype(key) if key else "")

    def plain(v):
        return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)

    parts = []
    for key, value in (detail or {}).items():
        if key == "first_admin" and value:
            parts.append(pick(("服务首次启动时自动创建的管理员", "first administrator, created when the server first started")))
        elif key == "locked" and value:
            parts.append(pick(("失败次数过多，账号已锁定", "too many failures: account locked")))
        elif key == "throttled" and value:  # web/users.py AddressLocked: one line, not one per attempt
            parts.append(pick(("该地址登录失败次数过多（不论用户名），来自该地址的登录已暂停，暂停期间的尝试不再逐条记录",
                               "too many failed logins from this address, whatever the names: logins from it "
                               "paused (attempts meanwhile are not logged one by one)")))
        elif key == "deleted_params" and isinstance(value, dict):  # a deleted proposal's question, in words
            parts.append(pick(("参数：", "parameters: ")) + (params_text(value, lang) if params_text is not None
                                                               else plain(value)))
        elif key == "backup_created" and isinstance(value, str):  # `coverplan restore` (QA 32)
            parts.append(t("qa32fb_created", lang, v=value))
        elif key == "backup_versions" and isinstance(value, int):
            parts.append(t("qa32fb_versions", lang, n=value))
        elif key == "dropped_versions" and isinstance(value, list):
            parts.append(t("qa32fb_dropped_versions", lang, vs=pick(("、", ", ")).join(f"{r} v{v}" for r, v in value))
                         if value else t("qa32fb_no_dropped_versions", lang))
        elif key == "dropped_proposals" and isinstance(value, int):
            names = detail.get("dropped_proposal_names") or []
            parts.append(t("qa32fb_dropped_proposals", lang, n=value)
                         + (t("qa32fb_dropped_names", lang, names=pick(("、", ", ")).join(map(str, names))) if names else ""))
        elif key in ("dropped_proposal_names", "dropped_proposal_records", "reverted_proposal_names"):
            pass  # said with dropped_proposals / reverted_proposals (the records: what a dropped one's 404 says)
        elif key == "reverted_proposals" and isinstance(value, int):  # names or notes a restore took back (QA 35)
            from planner.i18n import restore_reverted_text
            parts.append(restore_reverted_text(value, detail.get("reverted_proposal_names"), lang))
        elif key == "accounts" and isinstance(value, dict):  # what the restore did with the accounts
            from planner.i18n import restore_accounts_text
            parts.append(restore_accounts_text(value, lang))
        elif key == "role":
            parts.append(pick(("角色 ", "role ")) + role(value))
        elif key == "county":
            parts.append(pick(("县区 ", "county ")) + county(value))
        elif key == "was" and isinstance(value, str):  # a renamed account's name before
            parts.append(pick(("原用户名 ", "was named ")) + value)
        elif key == "was" and isinstance(value, dict):
            # only what changed: "role planner; county Maojian; was county Fang", not the unchanged role again
            was = [pick(("角色 ", "role ")) + role(value["role"])] if "role" in value and value["role"] != detail.get("role") else []
            if "county" in value and value["county"] != detail.get("county"):
                was.append(pick(("县区 ", "county ")) + county(value["county"]))
            if was:
                parts.append(pick(("原为 ", "was ")) + pick(("，", ", ")).join(was))
        elif key == "action" and value in EDIT_WORDS:
            parts.append(pick(EDIT_WORDS[value]))
        elif key == "mark" and value in MARK_WORDS:
            parts.append(pick(MARK_WORDS[value]))
        elif key == "lock" and value in ("name", "address", "password", "all"):  # a lock lifted (QA 27)
            parts.append(t("lock_kind_" + value, lang))
        elif key == "lifted" and isinstance(value, int):
            parts.append(f"{value} {'lock' if value == 1 else 'locks'} lifted" if en else f"解除 {value} 项限制")
        elif key == "address" and value:
            parts.append(pick(("地址 ", "address ")) + str(value))
        elif key == "kind" and value in JOB_KIND_WORDS:
            parts.append(pick(JOB_KIND_WORDS[value]))
        elif key == "type":
            parts.append(pick(("设施类型 ", "facility type ")) + ftype(value))
        elif key == "layer":
            parts.append(pick(("数据 ", "data ")) + layer(value))
        elif key == "reason" and isinstance(value, dict):  # a refusal's message, in both languages
            parts.append(pick(("原因：", "reason: ")) + str(value.get("en" if en else "zh") or ""))
        elif key == "rows":
            parts.append(f"{value} 行" if not en else f"{value} {'row' if str(value) == '1' else 'rows'}")
        elif key in PLAIN_WORDS:
            parts.append(pick(PLAIN_WORDS[key]) + plain(value))
        elif value not in (None, "", False):  # a detail a later event adds: still readable, never a repr
            parts.append(f"{key} {plain(value)}")
    return pick(("；", "; ")).join(parts)
