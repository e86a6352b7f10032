"""`coverplan backup --out FILE` / `coverplan restore FILE`: the database and data files in one archive.

The logic is geo/backup.py; a backup can be taken while the server runs, a
restore needs it stopped.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path

from cli.lang import h
from cli.options import add_json
from cli.output import print_json


def register(sub: argparse._SubParsersAction) -> None:
    def common(q: argparse.ArgumentParser) -> None:
        q.add_argument("--db",
                       help=h("服务器的 SQLite 数据库文件（默认：VAR_DIR/proposals.sqlite，与 `coverplan serve` 相同）",
                              "the server's SQLite file (default: VAR_DIR/proposals.sqlite, as `coverplan serve`)"))
        q.add_argument("--data-dir", help=h("存放 datasets/ 的文件夹（默认：数据库所在文件夹）",
                                            "folder holding datasets/ (default: the database's folder)"))
        add_json(q)

    b = sub.add_parser("backup", help=h("备份数据库和数据版本（服务器运行时也可安全备份）",
                                        "back up the database and data versions (safe while the server runs)"))
    b.add_argument("--out", required=True, help=h("要写出的备份文件（.zip）", "archive to write (.zip)"))
    common(b)
    b.set_defaults(func=_backup)

    r = sub.add_parser("restore", help=h("恢复备份（请先停止服务器）；拒绝恢复已损坏的备份文件或其他区域的备份",
                                         "restore a backup (stop the server first); refuses a damaged archive or "
                                         "one of another region"))
    r.add_argument("file", help=h("由 `coverplan backup` 写出的备份文件", "archive written by `coverplan backup`"))
    common(r)
    r.set_defaults(func=_restore)


def _db(args) -> Path:
    from geo.datasets import default_db_path

    return Path(args.db) if args.db else default_db_path()


def _say(args, zh: str, en: str, info: dict) -> None:
    if args.json:
        print_json(info)
    else:
        print(zh if args.lang == "zh" else en)


def _size(n: int) -> str:
    """A size in words: 94.0 KB, 1.1 MB."""
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{n / 1024:.1f} KB"


def _backup(args) -> int:
    from geo.backup import backup, describe

    manifest = backup(_db(args), out=args.out, data_dir=args.data_dir)
    d = {"out": str(args.out), **describe(manifest)}
    versions = len(d["versions"] or [])
    # the archive's own size (what the disk holds), the files' beside it: "1.1 MB" read as the zip's 94 KB (QA 32)
    d["archive_bytes"] = Path(args.out).stat().st_size
    packed, whole = _size(d["archive_bytes"]), _size(d["bytes"])
    _say(args, f"已备份到 {args.out}（{packed}）：数据库及 {versions} 个数据版本，共 {d['files']} 个文件（未压缩 {whole}）。",
         f"Backed up to {args.out} ({packed}): the database and {versions} data "
         f"{'version' if versions == 1 else 'versions'}, {d['files']} files ({whole} uncompressed).", d)
    missing = manifest.get("missing_versions") or []
    if missing:  # their files were gone: the archive has them as missing, as the server would show them
        vs = ", ".join(f"v{v}" for _, v in missing)
        print(f"注意：数据版本 {vs} 的文件已缺失或被改动，备份中标为“文件缺失”（恢复后不可使用）。"
              if args.lang == "zh" else
              f"Note: the files of data version(s) {vs} are missing or changed; the backup marks them as "
              "missing (not usable after a restore).", file=sys.stderr)
    return 0


def _listed_versions(versions, lang: str) -> str:
    """shiyan v1–v3, v5 (a run of consecutive versions as one range), per region."""
    by_region: dict[str, list[int]] = {}
    for region, v in versions:
        by_region.setdefault(region, []).append(int(v))
    parts = []
    for region, vs in by_region.items():
        runs, start = [], None
        vs = sorted(vs)
        for i, v in enumerate(vs):
            start = v if start is None else start
            if i + 1 == len(vs) or vs[i + 1] != v + 1:
                runs.append(f"v{start}" if start == v else f"v{start}–v{v}")
                start = None
        parts.append(f"{region} {('、' if lang == 'zh' else ', ').join(runs)}")
    return ("；" if lang == "zh" else "; ").join(parts)


def _restore(args) -> int:
    from geo.backup import describe, restore

    db = _db(args)
    # versions and missing_versions are the restored database's (geo.backup.restore), not the manifest's
    manifest = restore(args.file, db, data_dir=args.data_dir)
    dropped = manifest.get("dropped") or {}
    # the accounts: kept as they are now, or the backup's when none could be kept (said, QA 32); the audit entries
    # made after the backup, carried forward
    state = manifest.get("account_state") or {}
    d = {"restored": str(args.file), "db": str(db), **describe(manifest), "accounts": manifest["accounts"],
         "dropped": dropped, "account_state": state, "audit_kept": int(manifest.get("audit_kept") or 0)}
    versions = d["versions"] or []
    zh_list = f"：{_listed_versions(versions, 'zh')}" if versions else ""
    en_list = f": {_listed_versions(versions, 'en')}" if versions else ""
    gone, proposals = dropped.get("versions") or [], int(dropped.get("proposals") or 0)
    # what the replaced database held that the archive does not (made after the backup): said, and in the audit
    zh_gone = (f"被替换的数据库中备份之后的 {len(gone)} 个数据版本"
               + (f"（{_listed_versions(gone, 'zh')}）" if gone else "") + f"和 {proposals} 个方案已丢弃")
    en_gone = (f"{len(gone)} data version(s) and {proposals} proposal(s) of the replaced database, made after the "
               "backup, were dropped" + (f" ({_listed_versions(gone, 'en')})" if gone else ""))
    nxt = dropped.get("next_version") or {}
    if gone and nxt:  # their numbers are not given again
        zh_gone += "；此后新的数据版本从 " + "、".join(f"{r} v{v}" for r, v in nxt.items()) + " 起编号，已丢弃的编号不再使用"
        en_gone += ("; new data versions are numbered from " + ", ".join(f"{r} v{v}" for r, v in nxt.items())
                    + " on, never reusing a dropped number")
    # the proposals whose name or note the restore took back to the backup's (a rename made after it): said too
    from planner.i18n import restore_reverted_text

    reverted = {lang: restore_reverted_text(dropped.get("reverted"), dropped.get("reverted_proposals"), lang)
                for lang in ("zh", "en")}
    zh_gone += "；" + reverted["zh"] if reverted["zh"] else ""
    en_gone += "; " + reverted["en"] if reverted["en"] else ""
    d["audited"] = _audit(args, db, manifest)
    zh_accounts, en_accounts = (_accounts_words(state, d["audit_kept"], lang) for lang in ("zh", "en"))
    _say(args, f"已从 {args.file} 恢复（备份时间 {d['created']}，{len(versions)} 个数据版本{zh_list}）。{zh_gone}。"
               f"{zh_accounts}请重新启动服务。",
         f"Restored from {args.file} (backup of {d['created']}, {len(versions)} data version(s){en_list}). "
         f"{en_gone}. {en_accounts}Start the server again.", d)
    if not d["accounts"] and not args.json:  # a backup made before any account existed: said, not found out at login
        # only a server that asks for logins makes one (web.auth: AUTH required, or auto beyond the loopback
        # address); the default, open on this computer, makes none (it was said to, unconditionally: QA 24)
        _say(args, "恢复的数据库中没有账号。按默认方式启动服务（仅本机访问，无须登录）时不会新建账号；"
                   "若服务须登录（--auth required，或 --host 不是本机地址），启动时会新建管理员 admin 并在控制台显示一次性密码。",
             "The restored database holds no accounts. Started as by default (on this computer only, no login), "
             "the server creates none; when it asks for logins (--auth required, or a --host beyond 127.0.0.1), "
             "it creates the admin account 'admin' at start and shows its one-time password on the console.", None)
    return 0


def _accounts_words(state: dict, kept: int, lang: str) -> str:
    """What the restore did with the accounts (geo.backup: kept as they are now, or the backup's) and how many audit
    entries made after the backup it kept, as sentences ending in a space (en) or nothing (zh); advice when the
    backup's accounts were taken over a server's (an account disabled or a password changed after the backup is
    back as it was then: a bureau does that for a reason)."""
    from planner.i18n import restore_accounts_text, t

    space = " " if lang == "en" else ""
    said = restore_accounts_text(state, lang) + space if state else ""
    if state and not state.get("kept") and state.get("reason") in ("new", "unreadable"):
        said += t("qa32fb2_advice", lang) + space
    return said + (t("qa32fb2_audit_kept", lang, n=kept) + space if kept else "")


def _audit(args, db: Path, manifest: dict) -> bool:
    """Write the restore into the restored database's audit log (shown on /admin): who ran it -- the command line
    and the computer's user, as `coverplan users` records its changes (cli/users.py) -- the archive's name, when it
    was made, and what the replaced database held that is now gone. A restore left no trace: colleagues' changes of
    the morning were gone and nobody could tell why (QA 32). The restore is done either way: a log that cannot be
    written is said, not made a failure."""
    from geo.datasets import os_user
    from geo.errors import CoverplanError

    dropped = manifest.get("dropped") or {}
    created = manifest.get("created_iso")
    detail = {"backup_created": created if isinstance(created, str) else None,
              "backup_versions": len(manifest.get("versions") or []),
              "dropped_versions": dropped.get("versions") or [], "dropped_proposals": int(dropped.get("proposals") or 0),
              "dropped_proposal_names": dropped.get("proposal_names") or []}
    # each dropped proposal by id, name and parameters: its link then says this restore dropped it (QA 35); the
    # proposals whose name or note went back to the backup's
    if dropped.get("proposal_records"):
        detail["dropped_proposal_records"] = dropped["proposal_records"]
    if dropped.get("reverted"):
        detail["reverted_proposals"] = int(dropped["reverted"])
        detail["reverted_proposal_names"] = dropped.get("reverted_proposals") or []
    # the accounts: kept as they are now, or the backup's, and why (planner.i18n.restore_accounts_text says it)
    state = manifest.get("account_state")
    if state:
        detail["accounts"] = state
    try:
        from web.users import UserStore

        UserStore(db).audit("restore", user_name=f"(command line) {os_user()}", obj=Path(args.file).name,
                            detail=detail)
        return True
    except (CoverplanError, OSError, sqlite3.Error) as exc:
        print(f"注意：恢复已完成，但未能写入审计日志（{exc}）。" if args.lang == "zh" else
              f"Note: the restore is done, but it could not be written to the audit log ({exc}).", file=sys.stderr)
        return False
