"""`coverplan users ...`: the web server's accounts -- add, list, disable, rename, change a password.

The accounts live in the web app's database (web/users.py), so this command
works on a server's database whether the server runs or not. Passwords never
go on the command line (they would stay in the shell history): a new user gets
a generated one-time password, printed once, or one read from standard input
with ``--password-stdin``; ``passwd`` asks on the terminal.
"""
from __future__ import annotations

import argparse
import getpass
import os
import re
import sys
from pathlib import Path

from cli.lang import error_line, h
from cli.options import add_json
from cli.output import print_json
from geo import settings
from geo.dbfile import check_database


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help=h("账号：网页版服务器的账号——新增、列出、停用、改名、修改密码、解除登录锁定、查看审计日志",
                                       "accounts of the web server: add, list, disable, rename, passwd, unlock, audit"))
    us = p.add_subparsers(dest="users_command", required=True)

    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--db", help=h("SQLite 数据库文件（默认：网页版所用的 VAR_DIR/proposals.sqlite）",
                                      "SQLite file (default: the web app's, VAR_DIR/proposals.sqlite)"))
        q.add_argument("--region", default=settings.DEFAULT_REGION,
                       help=h("规划人员可分配的县区所在的区域", "region whose counties a planner may have"))
        add_json(q)

    add = us.add_parser("add", help=h("新增用户", "add a user"))
    # the rule check_name applies (web/users.py NAME_RULE, an allow-list since QA 31)
    add.add_argument("name", help=h("用户名：1 至 40 个字符，可用拉丁字母 a-z、A-Z（可带声调或重音符号，如 wáng、lǚ、é）、汉字（含〇）、"
                                    "数字 0-9、间隔号 ·（如 买买提·艾力）以及 _ . - @ 等 ASCII 符号；不含空格、: / \\ ? # %%、不可见字符、"
                                    "全角或其他兼容形式（如 ｂ、①、ﬁ）；不含其他文字的字母或形似字母的符号（如西里尔、希腊、切罗基字母，无点的 ı，"
                                    "音标字母 ᴀ）；不能只由点号组成；不能与已有账号在忽略大小写、全角形式、声调或重音符号及繁简字形后同名（登录时也按此识别，"
                                    "如 城市規劃員 即 城市规划员），也不能是其他账号改名前用过的名称；不能是保留名 local、web、coverplan、"
                                    "unknown、本机",
                                    "user name: 1 to 40 characters: the letters a-z and A-Z, also with accent or tone marks "
                                    "(pinyin with its tones), Chinese characters (and the ideographic zero), the digits 0-9, "
                                    "the middle dot of transcribed names (U+00B7) and ASCII signs such as _ . - @; no spaces, "
                                    "none of : / \\ ? # %%, no letters of other scripts or letter-like signs (Cyrillic, Greek, "
                                    "Cherokee, a dotless i, phonetic letters: they read as common letters), no invisible "
                                    "characters, no full-width or other compatibility forms (a full-width b, a circled 1, the "
                                    "fi ligature); not dots alone; not the same as an existing account's once case, "
                                    "full-width forms, accent or tone marks and traditional or simplified characters are "
                                    "set aside (a login reads a name the same way: wáng is wang), nor a name another "
                                    "account had before a rename; not local, web, coverplan, unknown or the Chinese for \"this computer\" (reserved)"))
    add.add_argument("--role", choices=["viewer", "planner", "admin"], required=True,
                     help=h("角色：viewer 查看者（只能查看）、planner 规划人员（可编辑）、admin 管理员（另可管理账号）",
                            "role: viewer (view only), planner (may edit), admin (may also manage accounts)"))
    add.add_argument("--county",
                     help=h("规划人员所属县区：6 位代码或名称（如 420325 或 房县）；不填 = 全市",
                            "a planner's county: 6-digit code or name (e.g. 420325 or Fang County); none = whole city"))
    add.add_argument("--password-stdin", action="store_true",
                     help=h("从标准输入读取密码（否则生成并显示一个一次性密码）",
                            "read the password from standard input "
                            "(else a one-time password is generated and printed)"))
    common(add)
    add.set_defaults(func=_add)

    ls = us.add_parser("list", help=h("用户列表", "list users"))
    common(ls)
    ls.set_defaults(func=_list)

    dis = us.add_parser("disable", help=h("停用用户，其登录会话立即失效", "disable a user; his sessions end at once"))
    dis.add_argument("name", help=h("要停用（加 --enable 则为重新启用）的用户名",
                                    "user to disable (or enable again with --enable)"))
    dis.add_argument("--enable", action="store_true", help=h("重新启用该用户", "enable the user again"))
    common(dis)
    dis.set_defaults(func=_disable)

    ren = us.add_parser("rename", help=h("修改用户名：账号的方案、角色、县区和登录会话不变",
                                         "rename a user: the account's proposals, role, county and sessions stay"))
    ren.add_argument("name", help=h("现用户名", "the current user name"))
    ren.add_argument("new_name", help=h("新用户名（规则同 users add）", "the new user name (the rule of users add)"))
    common(ren)
    ren.set_defaults(func=_rename)

    pw = us.add_parser("passwd", help=h("修改用户密码", "set a user's password"))
    pw.add_argument("name", help=h("要修改密码的用户名", "user whose password to set"))
    pw.add_argument("--password-stdin", action="store_true",
                    help=h("从标准输入读取新密码", "read the new password from standard input"))
    pw.add_argument("--reset", action="store_true",
                    help=h("生成一次性密码，下次登录时须修改",
                           "generate a one-time password to be changed at the next login"))
    common(pw)
    pw.set_defaults(func=_passwd)

    un = us.add_parser("unlock", help=h("解除登录锁定：账号因登录失败过多被锁定、某地址的登录被暂停、密码修改被锁定",
                                        "lift login locks: an account locked by failed logins, an address's logins "
                                        "paused, a password change locked"))
    un.add_argument("name", nargs="?", help=h("要解除锁定的用户名（其在所有地址的锁定及密码修改锁定）",
                                              "user whose locks to lift (from every address, and his password change's)"))
    un.add_argument("--address", help=h("解除该网络地址的登录暂停（及该地址上各账号的锁定）",
                                        "lift the pause of logins from this network address (and the accounts' locks there)"))
    un.add_argument("--all", action="store_true", help=h("解除全部锁定和暂停", "lift every lock and pause"))
    common(un)
    un.set_defaults(func=_unlock)

    # the audit log as /admin shows it (QA 34: it could be read on the web page only); reads the database read-only
    au = us.add_parser("audit", help=h("审计日志：与管理页（/api/admin/audit）相同的记录和措辞，最新的在前；只读数据库",
                                       "the audit log: the entries of /admin (/api/admin/audit), in its words, newest "
                                       "first; reads the database only"))
    au.add_argument("--user", help=h("只列出该用户的记录（按现用户名或改名前的用户名，均含该账号改名前后的记录）",
                                     "only the entries of this user (by the name now or one before a rename: the "
                                     "account's entries under both)"))
    au.add_argument("--limit", default="50",
                    help=h(f"最多列出的条数（1 至 {AUDIT_LIMIT}，默认 50）", f"how many entries at most (1 to {AUDIT_LIMIT}, default 50)"))
    common(au)
    au.set_defaults(func=_audit)


#: The most entries `users audit` lists at once (as /api/admin/audit's limit).
AUDIT_LIMIT = 500


def _store(args):
    from geo.regions import load_region
    from web.users import UserStore

    from planner.coverage import county_names_en

    try:
        c = load_region(args.region).counties
        counties = {str(k): str(v) for k, v in c["name"].items()}
        counties_en = {str(k): str(v) for k, v in county_names_en(c).items()}
    except Exception:  # no region built yet: county codes are then checked by their shape only
        counties = counties_en = None
    # a database that does not exist is a mistyped path for every command but add (which sets up a new
    # server's first account): listing it made an empty database and answered "no users yet", with --db and
    # (QA 28) with a mistyped COVERPLAN_VAR, where it made the folder too
    path = Path(args.db) if args.db else settings.VAR_DIR / "proposals.sqlite"
    if args.users_command != "add" and not path.exists() and not path.is_symlink():
        raise _no_database(args, path)
    db = check_database(path, create=args.users_command == "add")
    # the audit only reads: opened read-only, nothing made or changed in the server's database
    return UserStore(db, counties=counties, counties_en=counties_en, readonly=args.users_command == "audit")


def _no_database(args, path: Path):
    """"There is no database at PATH", and how to point at the server's: by --db, or by COVERPLAN_VAR (its
    value said, a typo being the likely cause). Nothing is made there."""
    from geo.errors import InputDataError

    command = f"users {args.users_command}"
    if args.db:
        hint_en = ("Give --db the server's database file (by default $COVERPLAN_VAR/proposals.sqlite, where "
                   "`coverplan serve` keeps it).")
        hint_zh = "请用 --db 指向服务器所用的数据库文件（默认 $COVERPLAN_VAR/proposals.sqlite，即 `coverplan serve` 所用的文件）。"
    else:
        var = os.environ.get("COVERPLAN_VAR", "").strip()
        now_en = f"COVERPLAN_VAR is {var}" if var else "COVERPLAN_VAR is not set, so the default folder is used"
        now_zh = f"当前 COVERPLAN_VAR 为 {var}" if var else "当前未设置 COVERPLAN_VAR，使用默认文件夹"
        hint_en = (f"{now_en}: set it to the folder holding the server's proposals.sqlite (as `coverplan serve` is "
                   "run with), or give the file with --db. A new server makes its database at its first start "
                   "(or with `coverplan users add`).")
        hint_zh = (f"{now_zh}：请将其设为服务器的 proposals.sqlite 所在的文件夹（与运行 `coverplan serve` 时相同），"
                   "或用 --db 指定该文件。新服务器在首次启动（或 `coverplan users add`）时创建数据库。")
    return InputDataError(f"There is no database at {path.absolute()}: `coverplan {command}` works on the accounts of an "
                          "existing server's database and creates none; nothing was made.",
                          f"{path.absolute()} 处没有数据库：`coverplan {command}` 只处理已有服务器数据库中的账号，不会新建数据库，"
                          "未做任何改动。",
                          hint_en=hint_en, hint_zh=hint_zh, details={"path": str(path)})


def _role(args, role: str) -> str:
    """规划人员 / planner: the role's name in the CLI's language (the stored key where there is none)."""
    from planner.i18n import t

    key = "role_" + role
    name = t(key, args.lang)
    return role if name == key else name


def _county(args, store, code: str | None) -> str:
    """郧西县（420322） / Yunxi County (420322); 全市 / whole city for an account without a county."""
    en = args.lang == "en"
    if not code:
        return "whole city" if en else "全市"
    name = ((store.counties_en if en else store.counties) or {}).get(code)
    if not name:
        return code
    return f"{name} ({code})" if en else f"{name}（{code}）"


def _width(text: str) -> int:
    """``text``'s width in terminal columns: a wide or full-width character (Chinese) takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _padded(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (a Chinese character takes two)."""
    return text + " " * max(width - _width(text), 0)


def _actor() -> str:
    """Who made a change here, in the audit log: the command line and the computer's user, as a data change
    records its author (geo/datasets.py os_user); web/auth.py actor_text shows it as 命令行（wang）."""
    from geo.datasets import os_user

    return f"(command line) {os_user()}"


def _say(args, zh: str, en: str) -> None:
    print(en if args.lang == "en" else zh)


def _fail(args, exc) -> int:
    if args.json:
        print_json({"error": "AccountError", "code": exc.code, "message": exc.message(args.lang),
                    "message_en": exc.en, "message_zh": exc.zh})
    else:
        # as every other command says it (cli.lang.error_line); a value in Chinese quotes in a Chinese message
        msg = exc.message(args.lang)
        if args.lang != "en":
            # a quote followed by a letter is inside the value (a name typed with quotes), not its end
            msg = re.sub(r'"(.*?)"(?![^\W_]|")', r"“\1”", msg)
        print(error_line(msg, args.lang), file=sys.stderr)
    return 2


def _stdin_password() -> str:
    from geo.errors import InputDataError

    if sys.stdin.isatty():  # typed: the line ends at Enter
        text = sys.stdin.readline().rstrip("\r\n")
    else:
        # piped: all of it (at most a megabyte: a password is far shorter, web.users.MAX_PASSWORD), one
        # line ending or none; a second line was dropped silently, the password set being only the first (QA 21)
        data = sys.stdin.read(1 << 20)
        if not data:  # < /dev/null, an empty pipe: said so, not "a password has at least 8 characters" (QA 27)
            raise InputDataError("Standard input is empty: --password-stdin reads the password from it. Pipe the "
                                 "password in, or leave --password-stdin out. Nothing was changed.",
                                 "标准输入为空：--password-stdin 从标准输入读取密码。请用管道传入密码，或不用 "
                                 "--password-stdin。未作任何修改。",
                                 hint_en="e.g. echo 'pass phrase' | coverplan users …",
                                 hint_zh="如 echo '密码' | coverplan users …",
                                 details={"parameter": "password-stdin"})
        text = data[:-2] if data.endswith("\r\n") else data[:-1] if data.endswith(("\n", "\r")) else data
        if "\n" in text or "\r" in text:
            lines = len(text.splitlines()) + (1 if text.endswith(("\n", "\r")) else 0)
            raise InputDataError(f"Standard input holds {lines} lines: --password-stdin reads one line, the password "
                                 "(a password cannot hold a line break). Nothing was changed.",
                                 f"标准输入有 {lines} 行：--password-stdin 只读取一行，即密码（密码不能包含换行）。"
                                 "未作任何修改。",
                                 hint_en="Pipe the password alone, e.g. echo 'pass phrase' | coverplan users …",
                                 hint_zh="请只传入密码本身，如 echo '密码' | coverplan users …",
                                 details={"parameter": "password-stdin", "lines": lines})
    # bytes that are not UTF-8 text arrive as lone surrogates, which no password hash can take
    if any("\ud800" <= c <= "\udfff" for c in text):
        raise InputDataError("The password read from standard input is not UTF-8 text (binary bytes?).",
                             "从标准输入读到的密码不是 UTF-8 文本（可能是二进制数据）。",
                             hint_en="Pipe the password as one line of text, e.g. echo 'pass phrase' | coverplan users …",
                             hint_zh="请以一行文本的形式传入密码，如 echo '密码' | coverplan users …")
    return text


def _add(args) -> int:
    from pathlib import Path

    from web.users import AccountError

    if args.county is not None and not args.county.strip():
        # the store reads "" as no county (the admin page's "whole city"): typed here it is a mistake (an
        # unset shell variable), and it made a planner for the whole city without a word (QA 21)
        return _fail(args, AccountError("--county is empty: give a county's 6-digit code or name (e.g. 420325 or "
                                        "Fang County), or leave --county out for an account of the whole city.",
                                        "--county 为空：请填写县区的6位代码或名称（如 420325 或 房县），"
                                        "全市账户请不要给 --county。", "county"))
    where = Path(args.db) if args.db else settings.VAR_DIR / "proposals.sqlite"
    new_db = not where.exists()
    store = _store(args)
    if new_db:  # a mistyped --db (or COVERPLAN_VAR) would make a database no server uses: say where it went
        print(f"Note: there was no database at {where.absolute()}; a new one was made." if args.lang == "en"
              else f"注意：{where.absolute()} 处原无数据库，已新建。", file=sys.stderr)
    password = _stdin_password() if args.password_stdin else None
    try:
        user, generated = store.add(args.name, args.role, args.county, password=password)
    except AccountError as exc:
        return _fail(args, exc)
    store.audit("user_added", user_name=_actor(), obj=user.name, detail={"role": user.role, "county": user.county})
    if args.json:
        print_json({"user": user.public(), "password": generated})
        return 0
    role, county = _role(args, user.role), _county(args, store, user.county)
    where = f"，县区 {county}" if user.county else ""
    where_en = f", county {county}" if user.county else ""
    _say(args, f"已新增用户 {user.name}（{role}{where}）。", f"Added user {user.name} ({role}{where_en}).")
    if generated:
        _say(args, f"一次性密码：{generated}（仅显示一次，首次登录须修改）",
             f"One-time password: {generated} (shown once; to be changed at first login)")
    return 0


def _list(args) -> int:
    store = _store(args)
    users = store.list()
    if args.json:
        names = (store.counties_en if args.lang == "en" else store.counties) or {}
        # as /api/admin/users: the county's name in the language asked ("" for the whole city)
        print_json([{**u.public(), "county_name": names.get(u.county or "", "")} for u in users])
        return 0
    if not users:
        _say(args, "尚无用户。", "No users yet.")
        return 0
    en = args.lang == "en"
    rows = [("Name", "Role", "County", "State") if en else ("用户名", "角色", "县区", "状态")]
    for u in users:
        state = ("disabled" if en else "已停用") if u.disabled else (
            ("must change password" if en else "待修改密码") if u.must_change else ("active" if en else "正常"))
        rows.append((u.name, _role(args, u.role), _county(args, store, u.county), state))
    # a header row, and each column as wide as its widest cell in terminal columns (a Chinese character
    # takes two): fixed widths misaligned the rows once a name or a county was longer (QA 27)
    widths = [max(_width(r[i]) for r in rows) for i in range(3)]
    for r in rows:
        print(" ".join([_padded(r[i], widths[i] + 1) for i in range(3)] + [r[3]]).rstrip())
    return 0


def _stored_name(store, typed: str) -> str:
    """The stored name of the account a typed name names, by the web login's rule (UserStore.login_account: WANG
    and wáng are wang, 城市規劃員 is 城市规划员), so a command says and audits the account as its logins do (QA 33);
    the name as typed when it names no account (the command's own error then says so)."""
    account = store.login_account(typed)
    return account.name if account is not None else typed


def _unlock(args) -> int:
    from web.users import AccountError

    if sum(bool(x) for x in (args.name, args.address, args.all)) != 1:
        return _fail(args, AccountError("Name what to unlock: a user name, --address ADDRESS or --all (one of them).",
                                        "请指明要解除的锁定：用户名、--address 地址或 --all（三者选一）。", "unlock"))
    if args.address:
        # an address no client can have (999.1.1.1, a host name) lifted nothing and said so as if done (QA 33)
        import ipaddress

        typed = args.address.strip()
        try:
            ipaddress.ip_address(typed)  # checked only: the store keeps the address as the server saw it
        except ValueError:
            return _fail(args, AccountError(
                f"--address {typed}: not a network address. Give the IPv4 or IPv6 address whose logins are paused, "
                "e.g. --address 192.168.1.20 (coverplan users unlock --all lifts every pause).",
                f"--address {typed}：不是有效的网络地址。请给出登录被暂停的 IPv4 或 IPv6 地址，如 --address 192.168.1.20"
                "（coverplan users unlock --all 可解除全部暂停）。", "unlock"))
    store = _store(args)
    if args.name:
        args.name = _stored_name(store, args.name)  # WANG, wáng: the account wang, as its web logins name it
        account = "the account"
        try:
            store.find(args.name)  # a mistyped name lifted nothing, silently
        except AccountError as exc:
            # a name that is no account may still be locked (someone tried it): that lock is lifted
            if not any(x["name"] == args.name for x in store.locks()):
                return _fail(args, exc)
            account = "the name"
        lifted = store.unlock(args.name)
        # "the account li", not "Li" (a name's first letter made a capital: QA 28)
        what, what_zh, obj, kind = f"{account} {args.name}", args.name, args.name, "name"
    elif args.address:
        lifted = store.unlock(address=args.address.strip())
        what, what_zh, obj, kind = (f"the address {args.address.strip()}", f"地址 {args.address.strip()}",
                                    args.address.strip(), "address")
    else:
        lifted = store.unlock(everything=True)
        what, what_zh, obj, kind = "every account and address", "全部账号和地址", None, "all"
    if lifted:  # an unlock that lifted nothing is not audited as "account locked; 0 locks lifted" (QA 28)
        store.audit("lock_lifted", user_name=_actor(), obj=obj, detail={"lock": kind, "lifted": len(lifted)})
    # the addresses whose logins stay paused: a name's unlock does not lift them, and the account still cannot
    # log in from there (QA 28: "admin had no login lock" while 127.0.0.1 was paused, --address not mentioned)
    paused = sorted({x["address"] for x in store.locks() if x["kind"] == "address" and x["address"]}) \
        if args.name else []
    if args.json:
        print_json({"lifted": lifted, "paused_addresses": paused} if args.name else {"lifted": lifted})
        return 0
    if lifted:
        _say(args, f"已解除 {what_zh} 的 {len(lifted)} 项登录限制。",
             f"Lifted {len(lifted)} login {'lock' if len(lifted) == 1 else 'locks'} of {what}.")
    elif args.all:
        _say(args, "当前没有登录限制（失败计数已全部清除）。", "No login lock was in force (all failure counts are cleared).")
    else:
        _say(args, f"{what_zh} 当前没有登录限制（已清除其失败计数）。",
             f"{what[0].upper() + what[1:]} had no login lock in force (its failure counts are cleared).")
    if paused:
        shown, shown_zh = ", ".join(paused[:5]), "、".join(paused[:5])
        more, more_zh = (f" and {len(paused) - 5} more", f"等 {len(paused)} 个") if len(paused) > 5 else ("", "")
        _say(args, f"注意：来自地址 {shown_zh}{more_zh} 的所有登录仍被暂停（从该处登录失败过多），{args.name} 也无法从该处登录；"
                   f"请用 coverplan users unlock --address {paused[0]}（逐个地址）或 --all 解除。",
             f"Note: every login from {shown}{more} is still paused (too many failed logins from there), "
             f"{args.name}'s too; lift that with coverplan users unlock --address {paused[0]} (one address at a "
             "time) or --all.")
    return 0


def _disable(args) -> int:
    from web.users import AccountError

    store = _store(args)
    try:
        user = store.update(_stored_name(store, args.name), disabled=not args.enable, by=_actor())
    except AccountError as exc:
        return _fail(args, exc)
    store.audit("user_enabled" if args.enable else "user_disabled", user_name=_actor(), obj=user.name)
    if args.json:
        print_json({"user": user.public()})
    elif args.enable:
        _say(args, f"已启用用户 {user.name}。", f"Enabled user {user.name}.")
    else:
        # this process cannot reach the server's jobs: a calculation of his still running there refuses to save
        # (web.jobs: its save step reads the account), where /admin cancels it at once
        _say(args, f"已停用用户 {user.name}，其登录会话已失效；其在服务器上尚未完成的计算将不保存结果。",
             f"Disabled user {user.name}; his sessions have ended, and a calculation of his still running on the "
             "server saves nothing.")
    return 0


def _rename(args) -> int:
    from web.users import AccountError

    store = _store(args)
    try:
        was = store.find(_stored_name(store, args.name)).name  # as stored (the name is found whatever its spelling)
        user = store.rename(was, args.new_name, by=_actor())  # who renamed it: a stale /admin page's 409 says so
    except AccountError as exc:
        return _fail(args, exc)
    store.audit("user_renamed", user_name=_actor(), obj=user.name, detail={"was": was})
    if args.json:
        print_json({"user": user.public(), "was": was})
    else:
        _say(args, f"已将用户 {was} 改名为 {user.name}；其方案、角色、县区和登录会话不变。",
             f"Renamed user {was} to {user.name}; the account's proposals, role, county and sessions stay.")
    return 0


def _passwd(args) -> int:
    from geo.errors import InputDataError
    from web.users import AccountError

    if args.reset and args.password_stdin:  # the password piped in was dropped for a generated one, silently
        raise InputDataError("--reset and --password-stdin contradict each other: --reset sets a generated one-time "
                             "password, --password-stdin sets the password read from standard input. Give only one "
                             "of them; nothing was changed.",
                             "--reset 与 --password-stdin 相互矛盾：--reset 生成一次性密码，--password-stdin 使用从标准输入"
                             "读取的密码。请只给出其中一个；未作任何修改。",
                             details={"parameter": "reset", "conflicts": "password-stdin"})
    store = _store(args)
    args.name = _stored_name(store, args.name)
    try:
        if args.reset:
            user, generated = store.set_password(args.name)
        else:
            store.find(args.name)  # an unknown user is said before a password is asked for
            if args.password_stdin:
                password = _stdin_password()
            elif not sys.stdin.isatty():  # getpass would read nothing and end in EOFError
                raise AccountError("There is no terminal to type the password on: give it with --password-stdin "
                                   "(echo PASSWORD | coverplan users passwd NAME --password-stdin) or use --reset.",
                                   "没有可输入密码的终端：请用 --password-stdin 提供（echo 密码 | coverplan users passwd "
                                   "用户名 --password-stdin），或用 --reset。", "password")
            else:
                password = getpass.getpass("新密码 / new password: ")
                if getpass.getpass("再次输入 / again: ") != password:
                    raise AccountError("The two passwords differ.", "两次输入的密码不一致。", "password")
            user, generated = store.set_password(args.name, password, must_change=False)
    except AccountError as exc:
        return _fail(args, exc)
    store.audit("password_reset" if generated else "password_changed", user_name=_actor(), obj=user.name)
    if args.json:
        print_json({"user": user.public(), "password": generated})
        return 0
    _say(args, f"已修改用户 {user.name} 的密码，其原有会话已失效。", f"Changed the password of {user.name}; his older sessions have ended.")
    if generated:
        _say(args, f"一次性密码：{generated}（仅显示一次，下次登录须修改）",
             f"One-time password: {generated} (shown once; to be changed at the next login)")
    return 0


def _audit(args) -> int:
    """`coverplan users audit`: the entries /api/admin/audit gives (web/users.py UserStore.audit_list and worded: the
    same filter by user, the same words), newest first, under a header row; the database is only read."""
    import sqlite3
    import time

    from planner import textrules
    from planner.i18n import t
    from web.users import AccountError

    typed = textrules.number_text(str(args.limit))  # ５０ as 50; "1_5", "٥", "5.5" are no count
    limit = int(typed) if typed is not None and typed.lstrip("+").isdigit() else None
    if limit is None or not 1 <= limit <= AUDIT_LIMIT:
        return _fail(args, AccountError(f"--limit {args.limit}: give a whole number from 1 to {AUDIT_LIMIT}, the most "
                                        "entries to list (e.g. --limit 100).",
                                        f"--limit {args.limit}：请给出 1 至 {AUDIT_LIMIT} 的整数，即最多列出的条数"
                                        "（如 --limit 100）。", "limit"))
    store = _store(args)
    user = (args.user or "").strip() or None
    try:
        total, rows = store.audit_list(limit=limit, user=user)
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise
        total, rows = 0, []  # a database the server has not yet kept accounts in: no entry
    store.worded(rows, args.lang)
    if args.json:
        print_json({"total": total, "limit": limit, "rows": rows})
        return 0
    if not rows:
        _say(args, f"没有 {user} 的审计记录。" if user else "审计日志中尚无记录。",
             f"No audit entries of {user}." if user else "The audit log has no entries yet.")
        return 0
    head = tuple(t(k, args.lang) for k in ("admin_time", "auth_name", "admin_action", "admin_object", "admin_detail")) \
        + ("IP",)
    table = [head] + [(time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["at"])), r["user_text"] or "–",
                       r["action_text"], r["object"] or "", textrules.escaped(r["detail_text"] or ""),
                       textrules.escaped(r["ip"] or "")) for r in rows]
    # each column as wide as its widest cell in terminal columns (a Chinese character takes two), as users list
    widths = [max(_width(str(r[i])) for r in table) for i in range(len(head) - 1)]
    for r in table:
        print("  ".join([_padded(str(r[i]), widths[i]) for i in range(len(head) - 1)] + [str(r[-1])]).rstrip())
    if total > len(rows):
        _say(args, f"（共 {total} 条，显示最新的 {len(rows)} 条；--limit 可调整条数，最多 {AUDIT_LIMIT}）",
             f"({total} entries, the newest {len(rows)} shown; --limit shows more, up to {AUDIT_LIMIT})")
    return 0
