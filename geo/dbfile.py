"""The SQLite file a store opens: a database, or a clear error before SQLite's own.

Given a CSV or a folder as ``--db``, SQLite said "file is not a database" in a traceback, and a
command that only reads (``users list``, ``data versions``) made a new, empty database wherever a
mistyped path pointed, then answered "no users yet" as if that were the server's.
"""
from __future__ import annotations

import errno
import os
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from geo.errors import InputDataError

#: The first 16 bytes of every SQLite 3 database file.
SQLITE_HEADER = b"SQLite format 3\x00"
#: The mode of the database, its -wal/-shm files and the backups holding it: the owner's alone. It keeps the
#: accounts' password hashes and the open logins' tokens; made 0644 under the usual umask, anyone on the machine
#: could read them (QA 34), where the session key beside it was already 0600 (web.auth).
PRIVATE_MODE = 0o600
#: The files SQLite keeps beside a database in WAL mode (made with the database file's mode).
SIDE_FILES = ("-wal", "-shm")
#: The mode of the folders the server keeps a bureau's data in (the data versions' datasets/, uploads/, reports/, a
#: restore's staging folder) and of a database's folder it makes: the owner's alone. Made with the umask's mode
#: (0755), they let anyone on the machine read the uploaded registers beside a 0600 database (QA 35).
PRIVATE_DIR_MODE = 0o700


def private_opener(path: str, flags: int) -> int:
    """An ``opener`` for :func:`open` making a new file 0600 (:data:`PRIVATE_MODE`) whatever the umask:
    ``open(p, "wb", opener=private_opener)``."""
    fd = os.open(path, flags, PRIVATE_MODE)
    try:
        os.fchmod(fd, PRIVATE_MODE)  # a new file's mode is narrowed by the umask only; an odd one (0o277) too
    except OSError:
        os.close(fd)
        raise
    return fd


def create_private(path: str | Path) -> None:
    """Make the empty file ``path``, readable and writable by its owner only (0600, whatever the umask): a
    database made so gets its -wal/-shm files with the same mode from SQLite. FileExistsError when it exists;
    OSError (with its errno and the path) when its folder refuses it."""
    os.close(private_opener(os.fspath(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL))


def write_private_text(path: str | Path, text: str) -> None:
    """``Path(path).write_text(text, "utf-8")``, the file the owner's alone (0600, whatever the umask, an existing
    one narrowed): an upload's reports and markers sit beside a bureau's register (QA 35)."""
    with open(path, "w", encoding="utf-8", opener=private_opener) as f:
        f.write(text)


def narrow_to_owner(path: str | Path) -> None:
    """Take every right of group and others from the file or folder ``path`` (0644 becomes 0600, 0755 0700). Says
    nothing when it cannot (not there, a file of another user, a read-only disk): what it guards still opens."""
    try:
        st = os.stat(path)
        if (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)) and stat.S_IMODE(st.st_mode) & 0o077:
            os.chmod(path, stat.S_IMODE(st.st_mode) & 0o700)
    except OSError:  # not there, not its owner, a read-only disk
        pass


def make_private(path: str | Path) -> None:
    """Narrow the database ``path`` and its -wal/-shm files to their owner (group and others lose every right:
    0644 becomes 0600). Says nothing when it cannot (a file of another user, a read-only disk): the database
    still opens, as before."""
    base = os.fspath(path)
    for name in (base, *(base + s for s in SIDE_FILES)):
        if os.path.isfile(name):
            narrow_to_owner(name)


def private_dir(path: str | Path, *, exist_ok: bool = True, narrow: bool = True) -> Path:
    """Make the folder ``path`` and the parents it lacks, each readable, writable and searchable by its owner only
    (0700, :data:`PRIVATE_DIR_MODE`, whatever the umask); ``path`` itself, when it is there already, is narrowed to
    its owner (:func:`narrow_to_owner`: a folder made 0755 by an older coverplan) unless ``narrow`` is False (a
    folder of the user's, as the one a database is given in). Returns ``path``.

    As ``Path(path).mkdir(parents=True, exist_ok=exist_ok)`` otherwise: FileExistsError when it is there and
    ``exist_ok`` is False, or when it is a file; OSError (with its errno and path) when a parent refuses it. A
    parent made meanwhile by another request is taken as it is."""
    p = Path(path)
    missing = []
    q = p
    while not os.path.lexists(q) and q.parent != q:
        missing.append(q)
        q = q.parent
    if not missing:
        if not exist_ok or not p.is_dir():
            raise FileExistsError(errno.EEXIST, os.strerror(errno.EEXIST), os.fspath(p))
        if narrow:
            narrow_to_owner(p)
        return p
    for q in reversed(missing):
        try:
            os.mkdir(q, PRIVATE_DIR_MODE)
        except FileExistsError:
            if (q == p and not exist_ok) or not q.is_dir():
                raise
            continue  # made meanwhile (another upload's folder of the same parent): not ours to change
        try:
            os.chmod(q, PRIVATE_DIR_MODE)  # the umask narrows a new folder only (0o277 made it 0500, unwritable)
        except OSError:
            pass
    return p


def check_database(path: str | Path, *, create: bool) -> Path:
    """``path`` when it is a SQLite database, or an empty or missing file that ``create`` allows.

    Parameters
    ----------
    path : str or Path
        The database file (``--db``).
    create : bool
        Whether a missing file may be made (a command that writes: ``users add``, ``data import``,
        ``serve``). A command that only reads refuses a missing file instead of creating one. A writer makes
        a missing file here, empty and 0600 (:func:`create_private`), and narrows an existing one (and its
        -wal/-shm) to its owner (:func:`make_private`): the database holds password hashes and login tokens.

    Raises
    ------
    InputDataError
        For a folder, a file that is not a SQLite database, or a missing file when ``create`` is
        False; the message names the path and says how to fix it.
    """
    p = Path(path)
    hint_en = ("Point --db at the server's database (by default $COVERPLAN_VAR/proposals.sqlite, where `coverplan "
               "serve` keeps it).")
    hint_zh = "请用 --db 指向服务器所用的数据库（默认 $COVERPLAN_VAR/proposals.sqlite，即 `coverplan serve` 所用的文件）。"
    if p.is_dir():
        raise InputDataError(f"{p} is a folder, not a database file.", f"{p} 是文件夹，不是数据库文件。",
                             hint_en=hint_en, hint_zh=hint_zh, details={"path": str(p)})
    if create:  # a folder that refuses the file (/proc, a read-only disk, a path under a file) was a sqlite or
        # mkdir traceback in `serve --db` and `data import --db`
        from geo.settings import db_file_problem

        problem = db_file_problem(p)
        if problem is not None:
            raise InputDataError(f"The database {p} cannot be made or written: the path {problem[0]}.",
                                 f"无法创建或写入数据库 {p}：该路径{problem[1]}。",
                                 hint_en="Give a database file in a folder coverplan may write in (--db or "
                                         "COVERPLAN_VAR).",
                                 hint_zh="请改用位于 coverplan 可写文件夹中的数据库文件（--db 或 COVERPLAN_VAR）。",
                                 details={"path": str(p)})
    if create and not p.exists():
        # made here, 0600, before SQLite makes it 0644 (the umask's); its -wal/-shm take its mode. One made
        # meanwhile by another writer is checked below as an existing one; a folder that refuses it (or a
        # dangling link) is said by the opener, as before
        try:
            private_dir(p.parent, narrow=False)  # a folder made for it, 0700 (one given is the user's: left as it is)
            create_private(p)
        except OSError:
            pass
    if not p.exists():
        if create:
            return p
        raise InputDataError(f"There is no database at {p}: this command only reads one and does not create it.",
                             f"{p} 处没有数据库：本命令只读取数据库，不会新建。",
                             hint_en=hint_en, hint_zh=hint_zh, details={"path": str(p)})
    try:
        with open(p, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
    except OSError as e:
        raise InputDataError(f"The database {p} cannot be read ({e.strerror}).",
                             f"无法读取数据库 {p}（{e.strerror}）。", hint_en=hint_en, hint_zh=hint_zh,
                             details={"path": str(p)}) from None
    if not head and not create:  # an empty file holds no data: read as one, it answered "version 0" (QA 27)
        # the usual one: made (0600) by a command that writes which then stopped with an error before SQLite wrote
        # its first page (`data import --region nosuch`); "empty" alone read as an installation with no data (QA 35)
        raise InputDataError(f"{p} is empty (0 bytes): it is not a SQLite database, and this command only reads one. "
                             "The database was never initialised (a command that writes leaves such a file when an "
                             "error stops it right after its start).",
                             f"{p} 是空文件（0 字节），不是 SQLite 数据库文件；本命令只读取数据库。该数据库从未初始化"
                             "（写入数据的命令在刚开始时因出错而停止，会留下这样的空文件）。",
                             hint_en=f"Start it with a command that sets it up: `coverplan serve --db {p}`, `coverplan "
                                     f"users add NAME --role admin --db {p}` or `coverplan data import ... --db {p}`; "
                                     "or point --db at the server's database (by default "
                                     "$COVERPLAN_VAR/proposals.sqlite).",
                             hint_zh=f"请先用会建立数据库的命令初始化：`coverplan serve --db {p}`、`coverplan users add "
                                     f"名称 --role admin --db {p}` 或 `coverplan data import … --db {p}`；或用 --db "
                                     "指向服务器所用的数据库（默认 $COVERPLAN_VAR/proposals.sqlite）。",
                             details={"path": str(p), "bytes": 0, "initialised": False})
    if head and head != SQLITE_HEADER:  # an empty file is a database SQLite has not written yet (made by a writer)
        raise InputDataError(f"{p} is not a SQLite database (coverplan keeps its data in one).",
                             f"{p} 不是 SQLite 数据库文件（coverplan 的数据保存在 SQLite 数据库中）。",
                             hint_en=hint_en, hint_zh=hint_zh, details={"path": str(p)})
    if create:  # a database made 0644 by an older coverplan (or restored so): its owner's alone from now on
        make_private(p)
    return p


@contextmanager
def immediate(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction on ``con`` holding SQLite's write lock from its start (BEGIN IMMEDIATE):
    what is read in it cannot change before it commits, as another writer waits for it (the data
    store's versions; the last active admin of the accounts, QA 21). Rolled back when the block raises.
    ``con`` must be in autocommit mode (``isolation_level=None``) or outside a transaction."""
    con.execute("BEGIN IMMEDIATE")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
