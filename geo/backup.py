"""Backup and restore of a coverplan installation: the database and the data versions' files.

The app keeps everything a planner made in one SQLite file (data versions,
saved proposals, the job journal, column mappings: ``geo.datasets`` and
``web.store`` share it) plus the layer files of the data versions under
``<data dir>/datasets/<region>/<version>/``. A backup is one zip archive:

- ``database.sqlite``: a consistent copy made with SQLite's online backup API
  while the server keeps running (readers and writers are not stopped; the copy
  is one snapshot of the database);
- ``datasets/<region>/<version>/...``: the files of exactly the versions that
  snapshot knows. Version directories never change once committed (a commit
  renames a finished directory into place before its row is committed), so
  files of a commit still in flight are left out with its row;
- ``reports/v<version>/{issues.json,meta.json}``: the validation report kept with each
  data version an import made (geo.import_reports: a version's note says "1 row refused, see the
  report"), for the versions that snapshot knows;
- ``manifest.json``: format, time, and the size and SHA-256 of every member.

A restore refuses an archive that is not one of these (another zip, a
truncated or edited file, a database failing ``PRAGMA integrity_check``, a
stored layer whose hash differs from its row) before touching anything; it
unpacks into a staging folder beside the data, checks it, and only then swaps
the folders and the database file in by renames. If a rename fails the previous
state is moved back. The server must be stopped while restoring (the files
change under it otherwise); the backup needs no stop. A restore over a database brings back the data
(versions, proposals, reports) and keeps that database's accounts and audit log (``restore``).

>>> backup(default_db_path(), out="coverplan-2025-06-30.zip")   # doctest: +SKIP
>>> restore("coverplan-2025-06-30.zip", default_db_path())       # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
import uuid
import zipfile
from pathlib import Path, PurePosixPath

from geo.dbfile import PRIVATE_MODE, check_database, create_private, narrow_to_owner, private_dir, private_opener
from geo.errors import CoverplanError
from geo.import_reports import REPORT_FILES, REPORTS

FORMAT = "coverplan-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE = "database.sqlite"
DATASETS = "datasets"


class BackupError(CoverplanError):
    """An archive that cannot be restored, or a backup that cannot be made."""


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _snapshot(db_path: Path, dest: Path, shown: str | Path | None = None) -> None:
    """A consistent copy of a live database (SQLite online backup API, one step = one snapshot).

    The copy's file is made first by Python: a folder that refuses it (``backup --out /proc/bk.zip``: sqlite3's
    "unable to open database file" traceback, QA 24) is an OSError with its errno, naming ``shown`` (the archive
    the copy is written for), which the CLI says as every --out it cannot write; so is a disk that fills."""
    name = os.fspath(shown if shown is not None else dest)
    try:
        create_private(dest)  # an empty file is an empty SQLite database; the owner's alone, as the database
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, name) from None
    src = sqlite3.connect(db_path, timeout=30)
    try:
        dst = sqlite3.connect(dest)
    except sqlite3.Error:
        src.close()
        raise OSError(errno.EIO, os.strerror(errno.EIO), name) from None
    try:
        src.backup(dst)  # pages=-1: the whole database under one read transaction
        dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file in the archive
    except sqlite3.OperationalError as exc:
        if "full" in str(exc):  # "database or disk is full": the copy's disk, not the source
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name) from None
        raise
    finally:
        dst.close()
        src.close()


def _tables(con: sqlite3.Connection) -> set[str]:
    return {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _row_counts(db: Path) -> dict[str, int]:
    """Each table of ``db`` and its number of rows: the manifest records them, so a database swapped
    or cut down inside an archive (its accounts table dropped) is refused, not restored (QA 19)."""
    con = sqlite3.connect(db)
    try:
        # the names come from the archive: quoted as SQL identifiers (a '"' in one would break out)
        return {t: int(con.execute('SELECT COUNT(*) FROM "' + t.replace('"', '""') + '"').fetchone()[0])
                for t in sorted(_tables(con)) if not t.startswith("sqlite_")}
    finally:
        con.close()


def _version_files(db: Path) -> list[tuple[str, int, str, str | None]]:
    """(region, stored_in, file, sha256) of every stored layer file the database refers to."""
    con = sqlite3.connect(db)
    try:
        if "dataset_layers" not in _tables(con):
            return []
        # the files of usable versions (a version already marked "missing" stays so after a restore)
        return [tuple(r) for r in con.execute(
            "SELECT DISTINCT l.region, l.stored_in, l.file, l.sha256 FROM dataset_layers l "
            "JOIN dataset_versions v ON v.region = l.region AND v.version = l.version "
            "WHERE l.file IS NOT NULL AND l.stored_in > 0 AND v.status = 'ok' "
            "ORDER BY l.region, l.stored_in, l.file")]
    finally:
        con.close()


def _mark_missing(snap: Path, data_dir: Path) -> list[tuple[str, int]]:
    """Mark in the snapshot the versions whose layer files are gone or changed; return them.

    The database says "ok" until a store is opened on it again, so a backup taken after the
    files were lost held versions the restore then refused as damaged (QA 17): the archive said
    "1 data version" and could not be restored. Marked "missing" in the copy, as the store would
    mark them, the archive restores, and says which versions it lacks.
    """
    gone = []
    for region, stored_in, file, sha in _version_files(snap):
        path = data_dir / DATASETS / region / str(stored_in) / file
        if not path.is_file() or (sha and _sha256(path) != sha):
            gone.append((region, stored_in, file))
    if not gone:
        return []
    con = sqlite3.connect(snap)
    try:
        versions = sorted({(r, int(v)) for region, stored_in, file in gone for r, v in con.execute(
            "SELECT region, version FROM dataset_layers WHERE region=? AND stored_in=? AND file=?",
            (region, stored_in, file))})
        with con:
            con.executemany("UPDATE dataset_versions SET status='missing' WHERE region=? AND version=?", versions)
        return versions
    finally:
        con.close()


def _versions(db: Path, status: str | None = None) -> list[tuple[str, int]]:
    """(region, version) of the database's data versions above the embedded 0, sorted; ``status``: only
    those of that status ("missing")."""
    con = sqlite3.connect(db)
    try:
        if "dataset_versions" not in _tables(con):
            return []
        where = "" if status is None else " AND status = ?"
        return sorted((str(r), int(v)) for r, v in con.execute(
            "SELECT region, version FROM dataset_versions WHERE version > 0" + where,
            () if status is None else (status,)))
    finally:
        con.close()


#: A region's name as a data version's folder has it (datasets/<region>/<version>/).
_REGION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: The most versions a manifest may list, and the highest version number (SQLite's INTEGER is 64-bit;
#: a store numbers its versions 1, 2, 3...).
_MAX_VERSIONS = 1_000_000
_MAX_VERSION = 2**31 - 1


def _version_list(manifest: dict, key: str, name: str, *, required: bool) -> list[tuple[str, int]]:
    """The manifest's ``key`` ("versions", "missing_versions") as (region, version) pairs, or a refusal
    when it is not a list of [region name, version number] pairs with sane values: a manifest edited to
    ``[["../x", 1], ["shiyan", "1; drop"]]`` is not one a backup writes (QA 18)."""
    raw = manifest.get(key)
    if raw is None and not required:
        return []

    def bad(why_en: str, why_zh: str) -> BackupError:
        return _refuse(f"{name}: the manifest's {key!r} entry is malformed ({why_en}); it must be a list of "
                       "[region, version] pairs such as [\"shiyan\", 3].",
                       f"{name}：清单中的 {key} 项格式不正确（{why_zh}），应为 [区域, 版本号] 对的列表，如 [\"shiyan\", 3]。",
                       entry=key)

    if not isinstance(raw, list):
        raise bad("not a list", "不是列表")
    if len(raw) > _MAX_VERSIONS:
        raise bad(f"more than {_MAX_VERSIONS:,} entries", f"超过 {_MAX_VERSIONS:,} 项")
    pairs = []
    for i, item in enumerate(raw, 1):
        shown = json.dumps(item, ensure_ascii=False)[:80]
        if not isinstance(item, list) or len(item) != 2:
            raise bad(f"entry {i}, {shown}, is not a [region, version] pair",
                      f"第 {i} 项 {shown} 不是 [区域, 版本号] 对")
        region, version = item
        if not isinstance(region, str) or not _REGION.fullmatch(region):
            raise bad(f"entry {i}, {shown}: the region is not a region name",
                      f"第 {i} 项 {shown}：区域不是有效的区域名称")
        if isinstance(version, bool) or not isinstance(version, int) or not 1 <= version <= _MAX_VERSION:
            raise bad(f"entry {i}, {shown}: the version is not a whole number from 1 to {_MAX_VERSION}",
                      f"第 {i} 项 {shown}：版本号不是 1 至 {_MAX_VERSION} 之间的整数")
        pairs.append((region, version))
    if len(set(pairs)) != len(pairs):
        raise bad("a version is listed twice", "有重复的版本")
    return sorted(pairs)


#: A kept report's member name in an archive: reports/v<version>/issues.json or meta.json, nothing else
#: (no leading zero, no sub-folder), so a name can only ever be written where the web app reads it.
_REPORT_MEMBER = re.compile(r"reports/v([1-9][0-9]{0,9})/(issues\.json|meta\.json)")
#: The largest report file a backup takes and a restore reads (each is parsed whole, in memory). A report
#: lists a row's problems in two languages: an upload of 20 MB (the web app's MAX_CONTENT_LENGTH) makes
#: far less; a larger one is left out of the backup, so that no archive is one its restore refuses.
_MAX_REPORT_BYTES = 256 * 1024 * 1024


def _report_problem(name: str, body: bytes) -> tuple[str, str] | None:
    """What is wrong with the bytes of a kept report's file ``name`` (issues.json, meta.json), in English
    and Chinese, or None: what the web app reads of it (a list of issues; the meta's file hash, name and
    counts) must be there, or its download fails where the version list offers it."""
    if len(body) > _MAX_REPORT_BYTES:
        return (f"larger than {_MAX_REPORT_BYTES // 1048576} MB", f"大于 {_MAX_REPORT_BYTES // 1048576} MB")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "not valid JSON", "不是有效的 JSON"
    if name == "issues.json":
        if not isinstance(data, list) or not all(isinstance(i, dict) for i in data):
            return "not a list of issues", "不是问题列表"
    elif not isinstance(data, dict) or not isinstance(data.get("sha256"), str) or \
            not isinstance(data.get("original"), str) or not isinstance(data.get("counts"), dict):
        return ("not a report's description (its file hash, name and counts)",
                "不是校验报告的说明（缺少文件哈希、文件名或行数）")
    return None


def _kept_reports(snap: Path, data_dir: Path) -> dict[str, bytes]:
    """The archive's members of the reports kept for the snapshot's versions: {member name: bytes}.

    Only a report of the file that made its version (the same hash; geo.import_reports.kept_meta shows no other) and one
    a restore would take (both files, JSON as the app writes it): a report half written by a confirm
    still in flight, or left from a database restored since, is left out, not made an archive that
    cannot be restored. Read once, so the bytes hashed are the bytes archived.
    """
    con = sqlite3.connect(snap)
    try:
        if "dataset_versions" not in _tables(con):
            return {}
        made: dict[int, set] = {}  # version number -> the hashes of the files that made it (one per region)
        for v, sha in con.execute("SELECT version, source_sha256 FROM dataset_versions WHERE version > 0"):
            made.setdefault(int(v), set()).add(sha)
    finally:
        con.close()
    members: dict[str, bytes] = {}
    for version in sorted(made):
        folder = data_dir / REPORTS / f"v{version}"
        body = {}
        for file in REPORT_FILES:
            path = folder / file
            try:
                if not path.is_file() or path.stat().st_size > _MAX_REPORT_BYTES:
                    break
                body[file] = path.read_bytes()
            except OSError:
                break
            if _report_problem(file, body[file]) is not None:
                break
        else:
            if json.loads(body["meta.json"])["sha256"] in made[version]:
                members.update({f"{REPORTS}/v{version}/{file}": body[file] for file in REPORT_FILES})
    return members


def backup(db_path: str | Path, *, out: str | Path, data_dir: str | Path | None = None) -> dict:
    """Write a backup archive of ``db_path`` and its data files to ``out``; return its manifest.

    ``data_dir`` holds ``datasets/`` and ``reports/`` (default: the database's folder, as the web app has it).
    The archive is written to a temporary name and renamed, so ``out`` is never half a backup. It holds the
    database (password hashes, login tokens): it is made readable by its owner only (0600), as the database is.
    """
    db_path, out = Path(db_path), Path(out)
    data_dir = Path(data_dir) if data_dir is not None else db_path.parent
    if db_path.exists():
        # a folder given as --db is "a folder, not a database file" (it was "no database at"), a CSV "not a
        # SQLite database" (not sqlite3's traceback)
        check_database(db_path, create=False)
    if not db_path.is_file():
        raise BackupError(f"No database at {db_path}: nothing to back up.",
                          f"找不到数据库 {db_path}，无可备份的内容。",
                          hint_en="Give the server's database with --db.", hint_zh="请用 --db 指定服务器的数据库文件。")
    folder = Path(os.path.dirname(os.path.abspath(out)))
    if not folder.is_dir():
        # no folder is made for the archive: `backup --out /nonexistent/x.zip` made /nonexistent at the root
        # (QA 21), where every other --out refuses a folder that does not exist
        raise BackupError(f"The folder {folder} does not exist: nothing was backed up.",
                          f"文件夹 {folder} 不存在，未备份。",
                          hint_en="Create it first, or write the backup into a folder that exists.",
                          hint_zh="请先创建该文件夹，或把备份写到已有的文件夹中。", details={"folder": str(folder)})
    work = folder / f".{out.name}.{uuid.uuid4().hex[:8]}.tmp"
    snap = work.with_suffix(".sqlite")
    try:
        _snapshot(db_path, snap, out)
        missing = _mark_missing(snap, data_dir)
        versions = _versions(snap)
        if versions and len(missing) == len(versions):
            # not one version's files where they were looked for: the data folder is elsewhere, most likely
            raise BackupError(
                f"None of the {len(versions)} data versions' files is in {data_dir / DATASETS}: nothing was backed up.",
                f"{data_dir / DATASETS} 中没有任何一个数据版本（共 {len(versions)} 个）的文件：未备份。",
                hint_en="If the server keeps its data elsewhere (its DATA_DIR), give that folder with --data-dir.",
                hint_zh="如服务器的数据保存在其他位置（DATA_DIR），请用 --data-dir 指定该文件夹。",
                details={"data_dir": str(data_dir)})
        members: dict[str, Path] = {DATABASE: snap}
        # every version directory the snapshot knows, whole (its source/ upload too)
        for region, version in versions:
            folder = data_dir / DATASETS / region / str(version)
            if not folder.is_dir():
                continue  # recorded as missing in the database already; the restore keeps it so
            for f in sorted(p for p in folder.rglob("*") if p.is_file()):
                members[f.relative_to(data_dir).as_posix()] = f
        # the validation reports kept with the versions (after a restore, "1 row refused, see the report"
        # pointed at nothing: QA 26)
        reports = _kept_reports(snap, data_dir)
        files = {}
        # the archive holds the database (password hashes, login tokens): made 0600 whatever the umask, as the
        # database is (geo.dbfile.PRIVATE_MODE); it keeps that mode when renamed to ``out`` (QA 34: it was 0644)
        create_private(work)
        with zipfile.ZipFile(work, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as z:
            for name, path in members.items():
                files[name] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
                z.write(path, name)
            for name, body in reports.items():
                files[name] = {"bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
                z.writestr(name, body)
            manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, "created": time.time(),
                        "created_iso": time.strftime("%Y-%m-%d %H:%M:%S"), "database": DATABASE,
                        "versions": sorted([list(v) for v in versions]), "files": files,
                        "missing_versions": [list(v) for v in missing], "tables": _row_counts(snap),
                        # the versions whose report is kept; its presence also says the archive speaks for
                        # reports/ (a restore replaces the folder), which one made before QA 26 does not
                        "reports": sorted({int(_REPORT_MEMBER.fullmatch(n).group(1)) for n in reports})}
            z.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        with open(work, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(work, out)
    except OSError as exc:
        # the archive (its temporary name beside it) could not be written, or a full disk: said as the archive
        # --out names, so the CLI gives its sentence for an --out it cannot write, not a traceback
        if exc.filename is not None and os.fspath(exc.filename) in (str(work), str(snap)) or \
                exc.filename is None and exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EFBIG):
            raise OSError(exc.errno, exc.strerror, os.fspath(out)) from None
        raise
    finally:
        for p in (work, snap):
            if p.exists():
                p.unlink()
    return manifest


def _refuse(en: str, zh: str, **details) -> BackupError:
    return BackupError(en, zh, hint_en="Nothing was changed. Use a backup made by `coverplan backup`.",
                       hint_zh="未做任何改动。请使用由 `coverplan backup` 生成的备份文件。", details=details)


def verify(archive: str | Path, into: Path) -> dict:
    """Unpack ``archive`` into the empty folder ``into`` and check everything; return its manifest.

    Raises :class:`BackupError` (Chinese and English) for anything but an intact coverplan backup.
    """
    archive = Path(archive)
    name = archive.name
    if archive.is_dir():
        raise BackupError(f"{archive} is a folder, not a backup file: give the .zip that `coverplan backup` wrote.",
                          f"{archive} 是文件夹而不是备份文件：请给出 `coverplan backup` 写出的 .zip 文件。")
    if not archive.is_file():
        raise BackupError(f"Backup file not found: {archive}.", f"找不到备份文件：{archive}。")
    try:
        z = zipfile.ZipFile(archive)
    except OSError as exc:
        raise _refuse(f"{archive} cannot be read ({exc.strerror or exc}).", f"无法读取 {archive}（{exc.strerror or exc}）。") \
            from None
    except zipfile.BadZipFile:
        if archive.stat().st_size == 0:  # a copy that failed at once
            raise BackupError(f"{name} is empty (0 bytes): it is no backup, or its copy failed.",
                              f"{name} 是空文件（0 字节）：不是备份文件，或复制失败。",
                              hint_en="Nothing was changed. Copy the backup again from where it was made, or use "
                                      "another backup.",
                              hint_zh="未做任何改动。请从备份所在处重新复制，或使用另一份备份。",
                              details={"damaged": True, "bytes": 0}) from None
        if _zip_start(archive):
            # a zip's table of contents is at its end: a copy or download cut short begins as a zip and has none
            # ("not a coverplan backup (not a readable zip archive)" said the wrong thing: QA 28)
            raise BackupError(f"{name} is damaged or incomplete: it begins as a zip archive, but its end (the "
                              "archive's table of contents) is missing or unreadable, as when a copy or download "
                              "was cut off.",
                              f"{name} 已损坏或不完整：文件开头是 zip 压缩包，但其结尾（压缩包的目录）缺失或无法读取，"
                              "常见于复制或下载中断。",
                              hint_en="Nothing was changed. Copy the backup again from where it was made (its size "
                                      "must be the same there and here), or use another backup.",
                              hint_zh="未做任何改动。请从备份所在处重新复制（两处的文件大小应相同），或使用另一份备份。",
                              details={"damaged": True}) from None
        raise _refuse(f"{name} is not a coverplan backup (not a zip archive).",
                      f"{name} 不是 coverplan 备份文件（不是 zip 压缩包）。") from None
    with z:
        try:
            manifest = json.loads(z.read(MANIFEST))
        except (KeyError, ValueError, zipfile.BadZipFile):
            raise _refuse(f"{name} is not a coverplan backup (no readable {MANIFEST}).",
                          f"{name} 不是 coverplan 备份文件（缺少可读取的 {MANIFEST}）。") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise _refuse(f"{name} is not a coverplan backup (its manifest is of another format).",
                          f"{name} 不是 coverplan 备份文件（清单格式不符）。")
        if manifest.get("format_version") != FORMAT_VERSION:
            raise _refuse(f"{name} is a backup of format {manifest.get('format_version')}; this coverplan reads "
                          f"format {FORMAT_VERSION}.",
                          f"{name} 的备份格式版本为 {manifest.get('format_version')}，本程序只能读取版本 {FORMAT_VERSION}。")
        versions = _version_list(manifest, "versions", name, required=True)
        _version_list(manifest, "missing_versions", name, required=False)
        files = manifest.get("files")
        if not isinstance(files, dict) or DATABASE not in files:
            raise _refuse(f"{name}: the manifest lists no database.", f"{name}：清单中没有数据库。")
        reports = _report_list(manifest, files, name)
        listed = z.namelist()
        names = set(listed) - {MANIFEST}
        if len(listed) != len(set(listed)):
            raise _refuse(f"{name}: the archive holds a member twice.", f"{name}：压缩包中有重复的成员。")
        if names != set(files):
            extra, missing = sorted(names - set(files)), sorted(set(files) - names)
            raise _refuse(f"{name}: the archive does not match its manifest (extra {extra[:5]}, missing {missing[:5]}).",
                          f"{name}：压缩包内容与清单不符（多出 {extra[:5]}，缺少 {missing[:5]}）。",
                          extra=extra, missing=missing)
        for member in files:
            p = PurePosixPath(member)
            if p.is_absolute() or ".." in p.parts or "\\" in member or ":" in member or \
                    not (member == DATABASE or p.parts[0] in (DATASETS, REPORTS)):
                raise _refuse(f"{name}: member {member!r} would be written outside the data folder.",
                              f"{name}：成员 {member!r} 的路径越出数据目录，拒绝恢复。", member=member)
        for member, meta in files.items():
            target = into / member
            private_dir(target.parent)  # (0700: the registers of a bureau, as the server's data folders: QA 35)
            h = hashlib.sha256()
            size = 0
            # every member the owner's alone from its first byte (geo.dbfile.PRIVATE_MODE): the database, and the
            # versions' files and reports (a restore made them 0644 under the usual umask: QA 35)
            try:
                with z.open(member) as src, open(target, "wb", opener=private_opener) as dst:
                    for chunk in iter(lambda: src.read(1 << 20), b""):
                        h.update(chunk)
                        size += len(chunk)
                        if size > int(meta.get("bytes", 0)):
                            break  # larger than the manifest says: stop reading (a bomb or a forgery)
                        dst.write(chunk)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise _refuse(f"{name}: member {member} cannot be read ({exc}); the file is damaged.",
                              f"{name}：成员 {member} 无法读取，备份文件已损坏。", member=member) from None
            if size != meta.get("bytes") or h.hexdigest() != meta.get("sha256"):
                raise _refuse(f"{name}: member {member} does not match its checksum; the file is damaged or edited.",
                              f"{name}：成员 {member} 的校验值不符，备份文件已损坏或被改动。", member=member)
    db = into / DATABASE
    try:
        con = sqlite3.connect(db)
        try:
            ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        ok = str(exc)
    if ok != "ok":
        raise _refuse(f"{name}: the database in the backup fails SQLite's integrity check ({ok}).",
                      f"{name}：备份中的数据库未通过 SQLite 完整性检查（{ok}）。")
    for region, stored_in, file, sha in _version_files(db):
        path = into / DATASETS / region / str(stored_in) / file
        if not path.is_file() or _sha256(path) != sha:
            raise _refuse(f"{name}: layer file {region}/{stored_in}/{file} is missing or differs from the database.",
                          f"{name}：图层文件 {region}/{stored_in}/{file} 缺失或与数据库记录不符。",
                          file=f"{region}/{stored_in}/{file}")
    recorded = manifest.get("tables")  # (backups before QA 19 have no such list)
    if recorded is not None:
        held_tables = _row_counts(db)
        if not isinstance(recorded, dict) or held_tables != recorded:
            differ = sorted(t for t in set(held_tables) | set(recorded if isinstance(recorded, dict) else {})
                            if not isinstance(recorded, dict) or held_tables.get(t) != recorded.get(t))
            raise _refuse(f"{name}: the database in the backup differs from the manifest's list of its tables "
                          f"({', '.join(differ[:5]) or 'the list'}); the file was edited.",
                          f"{name}：备份中的数据库与清单所列的数据表不符（{'、'.join(differ[:5]) or '清单'}），"
                          "备份文件已被改动。", tables=differ[:20])
    held = _versions(db)
    if held != versions:  # the manifest speaks of other versions than the database holds: edited
        raise _refuse(f"{name}: the manifest lists {len(versions)} data version(s) but the database in the backup "
                      f"holds {len(held)}; the manifest was edited.",
                      f"{name}：清单列出 {len(versions)} 个数据版本，而备份中的数据库有 {len(held)} 个；清单已被改动。",
                      listed=len(versions), held=len(held))
    numbers = {v for _, v in held}  # a report is named by its version number alone (geo.import_reports: reports/v<N>/)
    for version in reports:
        where = f"{REPORTS}/v{version}/"
        if version not in numbers:  # a report would name a version the restored database does not have
            raise _refuse(f"{name}: {where} is the validation report of data version {version}, which the database "
                          "in the backup does not hold; the archive was edited.",
                          f"{name}：{where} 是数据版本 {version} 的校验报告，而备份中的数据库没有该版本；备份文件已被改动。",
                          member=where)
        for file in REPORT_FILES:
            problem = _report_problem(file, (into / where / file).read_bytes())
            if problem is not None:
                raise _refuse(f"{name}: the validation report {where}{file} is {problem[0]}; the archive was edited.",
                              f"{name}：校验报告 {where}{file} {problem[1]}，备份文件已被改动。", member=where + file)
    return manifest


def _report_list(manifest: dict, files: dict, name: str) -> list[int]:
    """The version numbers of the archive's kept reports (the manifest's "reports", checked against its
    "files"), or a refusal: a member under reports/ other than reports/v<N>/issues.json or meta.json (a
    "reports/v1/../../x", a "reports/v1/run.sh"), a report with one of its two files, or one larger
    than a backup writes. A backup made before QA 26 has neither the list nor such members: []."""
    raw = manifest.get(REPORTS)
    held: dict[int, set[str]] = {}  # version -> its files in the archive
    for member in files:
        if member.split("/", 1)[0] != REPORTS:
            continue
        m = _REPORT_MEMBER.fullmatch(member)
        if not m or int(m.group(1)) > _MAX_VERSION:
            raise _refuse(f"{name}: member {member!r} is not a kept validation report (only "
                          f"{REPORTS}/v<version>/issues.json and meta.json are); the archive was edited.",
                          f"{name}：成员 {member!r} 不是保存的校验报告（只能是 {REPORTS}/v<版本号>/issues.json 或 "
                          "meta.json），备份文件已被改动。", member=member)
        meta = files[member]
        size = meta.get("bytes") if isinstance(meta, dict) else None
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= _MAX_REPORT_BYTES:
            raise _refuse(f"{name}: the manifest gives member {member} a size of {str(size)[:20]} bytes; a kept "
                          f"report is at most {_MAX_REPORT_BYTES // 1048576} MB; the archive was edited.",
                          f"{name}：清单所记成员 {member} 的大小为 {str(size)[:20]} 字节，而校验报告最大为 "
                          f"{_MAX_REPORT_BYTES // 1048576} MB；备份文件已被改动。", member=member)
        held.setdefault(int(m.group(1)), set()).add(m.group(2))
    if raw is None and not held:
        return []
    if not isinstance(raw, list) or len(raw) > _MAX_VERSIONS or \
            not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= _MAX_VERSION for v in raw) or \
            len(set(raw)) != len(raw):
        raise _refuse(f"{name}: the manifest's {REPORTS!r} entry is malformed; it must be a list of the version "
                      "numbers whose validation report the archive holds, such as [1, 3].",
                      f"{name}：清单中的 {REPORTS} 项格式不正确，应为备份中保存了校验报告的版本号列表，如 [1, 3]。",
                      entry=REPORTS)
    for version in sorted(set(raw) | set(held)):
        lacking = sorted(set(REPORT_FILES) - held.get(version, set()))
        if version not in raw or lacking:
            what = f"lacks {', '.join(lacking)}" if version in raw else "is not in the manifest's list of reports"
            zh = f"缺少 {'、'.join(lacking)}" if version in raw else "未列在清单的校验报告列表中"
            raise _refuse(f"{name}: the validation report of data version {version} ({REPORTS}/v{version}/) {what}; "
                          "the archive was edited.",
                          f"{name}：数据版本 {version} 的校验报告（{REPORTS}/v{version}/）{zh}，备份文件已被改动。",
                          member=f"{REPORTS}/v{version}/")
    return sorted(raw)


def _zip_start(path: Path) -> bool:
    """Whether the file ``path`` begins as a zip archive does (its first local file header)."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def installed_regions() -> list[str]:
    """The regions this installation serves: those shipped in its data folder (geo.regions.available_regions)."""
    from geo.regions import available_regions

    return available_regions()


def _check_regions(manifest: dict, name: str, db_path: Path, regions) -> None:
    """Refuse a backup whose data versions are of a region this installation does not serve: restored, the server
    found none of its region's versions and served the embedded data, the versions imported here gone (QA 28)."""
    held: dict[str, list[int]] = {}
    for region, version in manifest.get("versions") or []:
        held.setdefault(region, []).append(version)
    served = sorted(set(installed_regions() if regions is None else regions))
    foreign = sorted(set(held) - set(served))
    if not foreign:
        return
    shown = ", ".join(f"{r} (v{', v'.join(str(v) for v in sorted(held[r]))})" for r in foreign)
    shown_zh = "、".join(f"{r}（v{'、v'.join(str(v) for v in sorted(held[r]))}）" for r in foreign)
    serves = f"serves {', '.join(served)}" if served else "serves no region"
    serves_zh = f"服务的区域为 {'、'.join(served)}" if served else "没有可服务的区域"
    here = db_path.is_file() and _versions(db_path)  # what the restore would replace
    gone = f", and the {len(here)} data version(s) now in {db_path} would be gone" if here else ""
    gone_zh = f"，且 {db_path} 中现有的 {len(here)} 个数据版本将丢失" if here else ""
    raise BackupError(f"{name} holds the data versions of region {shown}, but this installation {serves}: restored "
                      f"here, they could not be used{gone}.",
                      f"{name} 中的数据版本属于区域 {shown_zh}，而本安装{serves_zh}：恢复到此处后这些数据版本无法使用{gone_zh}。",
                      hint_en="Nothing was changed. Restore it on a server of that region, or make the region "
                              "available here first (its folder in the data folder's regions/, COVERPLAN_DATA).",
                      hint_zh="未做任何改动。请在服务该区域的服务器上恢复，或先在此安装该区域（数据文件夹 regions/ 下的"
                              "区域文件夹，COVERPLAN_DATA）。",
                      details={"backup_regions": sorted(held), "installed_regions": served})


def serving_lock(db_path: str | Path):
    """The lock a running server holds on its database (``coverplan serve`` takes it at start)."""
    from filelock import FileLock

    path = str(Path(db_path)) + ".serving"
    narrow_to_owner(path)  # one made 0644 before (QA 35); a new one is made 0600 (and narrowed again once locked)
    return FileLock(path, mode=PRIVATE_MODE)


def _refuse_while_serving(db_path: Path):
    """Restore replaces the database under a running server's feet: refuse while one holds it.
    Returns the acquired lock, held until the restore is done (no server can start meanwhile)."""
    from filelock import Timeout

    lock = serving_lock(db_path)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise CoverplanError(
            f"A coverplan server is running on {db_path.name}: stop it first (Ctrl+C in its window), then restore.",
            f"有 coverplan 服务正在使用数据库 {db_path.name}：请先停止服务（在其窗口按 Ctrl+C），再恢复。") from None
    return lock


def _check_target(db_path: Path, data_dir: Path) -> None:
    """Refuse, before anything is made, moved or locked, a place the restore must not replace: a folder or a
    file that is no SQLite database given as ``--db`` (``restore b.zip --db /tmp/d`` moved the folder aside and
    deleted it with everything in it; ``--db victim.csv`` overwrote the CSV: QA 21), a -wal/-shm beside it that
    is not a file, and a data folder (or its datasets/) that is a file."""
    if os.path.lexists(db_path) and not db_path.exists():  # a link whose target is gone
        raise _target_error(f"{db_path} is a link to {os.readlink(db_path)}, which does not exist: it is not a "
                            "database file.",
                            f"{db_path} 是指向 {os.readlink(db_path)} 的链接，而该目标不存在：不是数据库文件。")
    if db_path.exists():
        # the words every command says of its --db (geo.dbfile): "... is a folder, not a database file",
        # "... is not a SQLite database"; an empty file is a database SQLite has not written yet
        try:
            check_database(db_path, create=True)
        except CoverplanError as exc:  # its words, with "nothing was changed"
            raise _target_error(exc.en, exc.zh) from None
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if os.path.lexists(side) and (side.is_symlink() or not side.is_file()):
            raise _target_error(f"{side} is not SQLite's {suffix[1:]} file of {db_path.name} (it is a folder, a link "
                                "or a device), so the database cannot be replaced safely.",
                                f"{side} 不是数据库 {db_path.name} 的 SQLite {suffix[1:]} 文件（而是文件夹、链接或设备），"
                                "无法安全地替换数据库。")
    if data_dir.exists() and not data_dir.is_dir():
        raise _target_error(f"The data folder {data_dir} is a file, not a folder.",
                            f"数据文件夹 {data_dir} 是文件而不是文件夹。")
    datasets = data_dir / DATASETS
    if os.path.lexists(datasets) and not datasets.is_dir():
        raise _target_error(f"{datasets} is not the data versions' folder (it is a file or a broken link).",
                            f"{datasets} 不是数据版本所在的文件夹（而是文件或失效的链接）。")
    reports = data_dir / REPORTS
    if os.path.lexists(reports) and not reports.is_dir():  # the restore replaces it: not a file of the planner's
        raise _target_error(f"{reports} is not the folder of the versions' validation reports (it is a file or a "
                            "broken link).",
                            f"{reports} 不是数据版本校验报告所在的文件夹（而是文件或失效的链接）。")
    if db_path.absolute() in (datasets.absolute(), reports.absolute()):
        raise _target_error(f"{db_path} is the name of the data folder's {db_path.name}/, not a database's.",
                            f"{db_path} 是数据文件夹中 {db_path.name}/ 的名称，不能用作数据库文件。")


def _target_error(en: str, zh: str) -> BackupError:
    return BackupError(en, zh, hint_en="Nothing was changed. Point --db at the server's database (by default "
                                       "VAR_DIR/proposals.sqlite), or at a new file's name.",
                       hint_zh="未做任何改动。请用 --db 指向服务器所用的数据库（默认 VAR_DIR/proposals.sqlite），或一个新文件名。")


def restore(archive: str | Path, db_path: str | Path, *, data_dir: str | Path | None = None,
            regions=None) -> dict:
    """Replace the database and the data versions' files with those of a backup; return its manifest,
    with ``versions`` and ``missing_versions`` read from the restored database.

    All or nothing: the archive is unpacked and checked in a staging folder
    beside the data first; then the current ``datasets/``, ``reports/`` and
    database (with its -wal/-shm) are moved aside, the restored ones moved in,
    and the old ones deleted. A failure moves the old ones back. Stop the
    server first. An archive made before reports were backed up (its manifest
    has no "reports") leaves ``reports/`` as it is, as its restore did then.

    Version numbers are never given twice: the restored database records the highest number the replaced one
    had handed out, and the next version is numbered above it (geo.datasets). The answer's ``dropped`` says
    what the replaced database held that the restored one does not: ``versions`` ([region, version] made
    after the backup), ``proposals`` (their count), ``proposal_names`` (the first few), ``proposal_records``
    (``{"id", "name", "type", "params"}`` of each, up to _MAX_RECORDS), ``reverted`` and ``reverted_proposals``
    (how many proposals both hold whose name or note the restore takes back to the backup's, and the first few
    as ``{"id", "name": the backup's, "was": the replaced one's, "fields": ["name", "note"]}``), and
    ``next_version`` ({region: the number the next version will have}).

    What a restore brings back is the data: data versions, proposals, reports. The accounts stay as they are
    (:func:`_keep_accounts`: the replaced database's account tables, logins and locks included; the backup's only
    when no database is replaced, or it holds no account, or it cannot be read), said in ``account_state``; the
    audit entries made after the backup are carried forward (``audit_kept``: how many).

    Only what the restore made (its staging folder) or moved aside (the replaced database,
    ``datasets/`` and ``reports/``, once the restored ones are in place) is ever deleted; a ``db_path`` that is a
    folder or a file other than a SQLite database is refused before anything is touched.

    ``regions``: the regions whose data versions the archive may hold (default: :func:`installed_regions`); one
    of another region is refused, nothing changed.
    """
    db_path = Path(db_path)
    data_dir = Path(data_dir) if data_dir is not None else db_path.parent
    _check_target(db_path, data_dir)
    # what this restore makes before it knows the archive is good: undone when it is refused
    # ("nothing was changed" left the folders and an empty .serving lock file behind)
    made = [p for p in dict.fromkeys([*reversed(data_dir.absolute().parents), data_dir.absolute(),
                                      *reversed(db_path.absolute().parents)]) if not p.exists()]
    lock_file = Path(str(db_path) + ".serving")
    lock_was = lock_file.exists()
    restored = False
    try:
        # made 0700 when not there (QA 35); a folder given (--data-dir, the database's) is the user's: left as it is
        private_dir(data_dir, narrow=False)
        private_dir(db_path.parent, narrow=False)
        with _refuse_while_serving(db_path):
            try:
                manifest = _restore(archive, db_path, data_dir, regions)
                restored = True
            except OSError as exc:  # a rename refused (another disk, no permission): undone, said in words
                raise BackupError(f"The restored files could not be put in place ({exc.strerror or exc}): nothing "
                                  "was changed.",
                                  f"无法将恢复的文件放到位（{exc.strerror or exc}）：未做任何改动。",
                                  hint_en="Check that the database's folder and the data folder are writable and on "
                                          "the same disk (--data-dir).",
                                  hint_zh="请检查数据库所在文件夹和数据文件夹是否可写、是否位于同一磁盘（--data-dir）。",
                                  details={"db": str(db_path), "data_dir": str(data_dir)}) from None
            finally:
                # a refused restore (or one undone, _restore) leaves no lock file it made (an existing
                # database's neither: filelock keeps the file); taken away while still held
                if not restored and not lock_was:
                    lock_file.unlink(missing_ok=True)
    finally:
        if not restored:  # nor the folders made for it
            for p in sorted(made, key=lambda q: len(q.parts), reverse=True):
                try:
                    p.rmdir()  # only an empty one: a folder holding anything is not ours to take
                except OSError:
                    pass
    # what the restored database holds, not what the manifest says it holds
    return {**manifest, "versions": [list(v) for v in _versions(db_path)],
            "missing_versions": [list(v) for v in _versions(db_path, "missing")],
            "accounts": _row_counts(db_path).get("users", 0)}


def _restore(archive, db_path: Path, data_dir: Path, regions=None) -> dict:
    job = uuid.uuid4().hex[:10]
    stage = data_dir / f".restore-{job}"
    old = data_dir / f".restore-old-{job}"
    # not exist_ok: never a folder this restore did not make (deleted below); 0700, as the data it holds (QA 35)
    private_dir(stage, exist_ok=False)
    made_old = False
    undo: list[tuple[Path, Path]] = []  # (from, to): the renames that put the previous state back
    try:
        manifest = verify(archive, stage)
        _check_regions(manifest, Path(archive).name, db_path, regions)
        # what the database being replaced drops and the numbers it handed out, read before it is moved aside
        manifest = {**manifest, "dropped": _replaced(db_path, data_dir, stage / DATABASE)}
        # the accounts stay as they are now (a restore is about data: an account disabled or a password changed
        # after the backup is not undone; the backup's when none can be read), and the audit log is history,
        # carried forward (QA 32: a restore silently re-enabled a disabled account and replaced the log)
        manifest = {**manifest, "account_state": _keep_accounts(db_path, stage / DATABASE),
                    "audit_kept": _carry_audit(db_path, stage / DATABASE)}
        private_dir(old, exist_ok=False)
        made_old = True
        # the reports replaced only by an archive that speaks for them: one made before they were backed up
        # leaves them (a report shows only for the file that made its version: geo.import_reports.kept_meta)
        folders = [DATASETS] + ([REPORTS] if REPORTS in manifest else [])
        live = [data_dir / f for f in folders] + [db_path.with_name(db_path.name + s) for s in ("", "-wal", "-shm")]
        for i, p in enumerate(live):
            if os.path.lexists(p):
                # numbered: a database named "reports" in another folder is no data folder's reports/
                os.replace(p, old / f"{i}-{p.name}")
                undo.append((old / f"{i}-{p.name}", p))
        for f in folders:
            private_dir(stage / f)
            os.replace(stage / f, data_dir / f)
            # undone by moving it back into the staging folder (deleted with it), not by deleting it where it is
            undo.append((data_dir / f, stage / f))
        os.chmod(stage / DATABASE, PRIVATE_MODE)  # (made so by verify): the restored database is the owner's alone
        os.replace(stage / DATABASE, db_path)
    except BaseException as exc:
        left = []
        for src, dst in reversed(undo):
            try:
                os.replace(src, dst)
            except OSError:
                left.append(src)
        if left:  # the previous state is not all back: kept where it is, and said
            raise BackupError(f"The restore failed and the previous state could not be fully put back: what was "
                              f"replaced is kept in {old} ({', '.join(str(p) for p in left)}); move it back by hand.",
                              f"恢复失败，且未能完全还原此前的状态：被替换的文件保存在 {old}"
                              f"（{'、'.join(str(p) for p in left)}），请手动移回。",
                              details={"kept_in": str(old)}) from exc
        if made_old:
            try:
                old.rmdir()  # only empty (everything moved back): never deleted while it holds the old data
            except OSError:
                pass
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)  # what was moved aside, once the restored state is in place
    return manifest


#: The most names of dropped proposals a restore reports (their count is always whole).
_MAX_NAMES = 20


def _replaced(db_path: Path, data_dir: Path, restored: Path) -> dict:
    """What restoring the database ``restored`` (staged) over ``db_path`` drops: the data versions and saved
    proposals of ``db_path`` the restored one does not hold (made after the backup), said by the restore and
    its audit entry; and keeps: the highest version number ``db_path`` had handed out per region, recorded in
    ``restored`` (geo.datasets.keep_numbers_above), so that the next version made after the restore is not a
    second "v7" (QA 32: an upload checked on the replaced v7 was confirmed on the new one, and an export saying
    "数据版本 v7" named other data). The replaced data folder's version folders (datasets/<region>/<N>/,
    reports/v<N>/) count as numbers handed out too: a damaged database still leaves them.

    A replaced database that cannot be read (damaged: the reason for many a restore) drops what could be read."""
    from geo.datasets import highest_numbers, keep_numbers_above

    highest = highest_numbers(db_path) if db_path.is_file() else {}

    def taken(region: str, name: str) -> None:
        if name.isdigit() and len(name) <= 10 and 0 < int(name) <= _MAX_VERSION:
            highest[region] = max(highest.get(region, 0), int(name))

    try:
        for region_dir in (data_dir / DATASETS).iterdir() if (data_dir / DATASETS).is_dir() else ():
            if region_dir.is_dir() and _REGION.fullmatch(region_dir.name):
                for child in region_dir.iterdir():
                    taken(region_dir.name, child.name)
        # a report is named by its number alone (geo.import_reports): it counts for the regions the database has
        numbers = [c.name[1:] for c in (data_dir / REPORTS).iterdir() if c.name.startswith("v")] \
            if (data_dir / REPORTS).is_dir() else []
        for region in set(highest) | {r for r, _ in _versions(restored)}:
            for n in numbers:
                taken(region, n)
    except OSError:  # a folder that cannot be listed: the database's numbers
        pass
    before, live = set(), {}
    if db_path.is_file():
        try:
            before = set(_versions(db_path))
            con = sqlite3.connect(db_path)
            try:
                live = _proposal_rows(con)
            finally:
                con.close()
        except sqlite3.Error:
            pass
    con = sqlite3.connect(restored)
    try:
        after = _proposal_rows(con)
    finally:
        con.close()
    dropped_versions = sorted(before - set(_versions(restored)))
    dropped = [(i, r) for i, r in live.items() if i not in after]
    # the proposals both hold whose name or note the backup has otherwise: a rename or a planner's note made after
    # the backup, undone by the restore and said (QA 35: only the dropped ones were)
    reverted = [{"id": i, "name": after[i]["name"], "was": r["name"],
                 "fields": [f for f in ("name", "note") if r[f] != after[i][f]]}
                for i, r in live.items() if i in after and (r["name"], r["note"]) != (after[i]["name"], after[i]["note"])]
    keep_numbers_above(restored, highest)
    return {"versions": [list(v) for v in dropped_versions], "proposals": len(dropped),
            "proposal_names": [r["name"] for _, r in dropped][:_MAX_NAMES],
            # each dropped proposal's id, name, type and parameters, for the restore's audit entry: a link to it
            # then says it was dropped by this restore, not only "not found" (QA 35)
            "proposal_records": [{"id": i, "name": r["name"], "type": r["type"], "params": _short_params(r["params"])}
                                 for i, r in dropped][:_MAX_RECORDS],
            "reverted": len(reverted), "reverted_proposals": reverted[:_MAX_NAMES],
            "next_version": {r: v + 1 for r, v in sorted(highest_numbers(restored).items())}}


#: The most dropped proposals a restore's audit entry records by id, name and parameters (their count is whole).
_MAX_RECORDS = 200


#: The longest value (as JSON) of a dropped proposal's parameter its record keeps: the question asked (type, model,
#: p, standard, county, sizes ...), not the app's notes on it or anything long.
_MAX_PARAM_CHARS = 300


def _short_params(params: dict) -> dict:
    """A dropped proposal's parameters as its record keeps them: those of a short value, the app's own (auto_notes,
    auto_name: words about it, not the question) left out. The web words them (web.proposals keeps what a deleted
    one keeps); geo knows no parameter by name."""
    out = {}
    for k, v in params.items():
        if str(k).startswith("auto_"):
            continue
        try:
            if len(json.dumps(v, ensure_ascii=False)) <= _MAX_PARAM_CHARS:
                out[str(k)] = v
        except (TypeError, ValueError):
            pass
    return out


def _proposal_rows(con: sqlite3.Connection) -> dict[str, dict]:
    """The saved proposals of a database (web.store's table), oldest first: {id: {"name", "note", "type",
    "params"}}, the parameters as a dict ({} when unreadable), the note "" when the table has none; {} without the
    table."""
    if "proposals" not in _tables(con):
        return {}
    cols = {r[1] for r in con.execute("PRAGMA table_info(proposals)")}
    note = "note" if "note" in cols else "''"
    kind = "type_key" if "type_key" in cols else "NULL"
    params = "params" if "params" in cols else "NULL"
    out = {}
    for i, name, text, key, raw in con.execute(
            f"SELECT id, name, {note}, {kind}, {params} FROM proposals ORDER BY created"):  # noqa: S608
        try:
            read = json.loads(raw) if isinstance(raw, str) else {}
        except ValueError:
            read = {}
        out[str(i)] = {"name": str(name), "note": str(text or ""), "type": None if key is None else str(key),
                       "params": read if isinstance(read, dict) else {}}
    return out


#: The account tables web/users.py keeps (its SCHEMA) besides the audit log (carried forward: _carry_audit): the
#: accounts (names, roles, counties, disabled flags, password hashes and stamps, must-change flags), the names
#: renamed accounts had, the open logins, the logins ended by an account change, the login failure and lock
#: records. Named here, not imported: geo never imports web.
ACCOUNT_TABLES = ("users", "former_names", "sessions", "ended_sessions", "login_failures")
#: Why a restore used the backup's accounts (account_state's "reason"): no database was replaced (a new
#: place), the replaced one held no account, or its accounts could not be read (a damaged file).
ACCOUNT_REASONS = ("new", "no_accounts", "unreadable")


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_account_tables(replaced: Path) -> dict[str, dict] | str:
    """The account tables of ``replaced`` as they are: {table: {"sql", "indexes", "columns", "rows"}}, or the
    reason (ACCOUNT_REASONS) the backup's accounts are used instead. Raises nothing: a file that cannot be read
    (sqlite3.Error, OSError) is "unreadable"."""
    if not replaced.is_file():
        return "new"
    try:
        with contextlib.closing(sqlite3.connect(replaced, timeout=30)) as src:
            tables = _tables(src)
            if "users" not in tables or not src.execute("SELECT COUNT(*) FROM users").fetchone()[0]:
                return "no_accounts"  # nothing decided about accounts there: nothing to keep
            out = {}
            for t in ACCOUNT_TABLES:
                if t not in tables:
                    continue
                sql = src.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name=?", (t,)).fetchone()[0]
                indexes = [r[0] for r in src.execute(
                    "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name=? AND sql IS NOT NULL", (t,))]
                columns = [r[1] for r in src.execute(f"PRAGMA table_info({_quoted(t)})")]
                rows = src.execute(f"SELECT {', '.join(map(_quoted, columns))} FROM {_quoted(t)}").fetchall()  # noqa: S608
                out[t] = {"sql": sql, "indexes": indexes, "columns": columns, "rows": rows}
            return out
    except (sqlite3.Error, OSError):
        return "unreadable"


def _keep_accounts(replaced: Path, restored: Path) -> dict:
    """Give the staged database ``restored`` the accounts state of ``replaced``, the database it replaces: every
    account table (ACCOUNT_TABLES) as ``replaced`` has it, its schema and all its rows. A restore is about data
    (a bad import, a damaged file); an account disabled, or a password changed, after the backup is a security
    decision it must not undo (QA 32: a restore re-enabled the account of someone who had left, with his old
    password and logins).

    The authors of the restored proposals keep their accounts: an author id the kept accounts lack (accounts
    are never deleted, so only another server's backup has one) gets the backup's account row, disabled (renamed
    ``<name>-backup`` when its name is taken). Other accounts only the backup holds are not restored, and named.

    Returns the account state a restore says: {"kept": true, "reason": None, "authors_kept_disabled": [names],
    "not_restored": [names]}; or, when ``replaced`` does not exist, holds no account or cannot be read, the
    backup's accounts stay: {"kept": false, "reason": one of ACCOUNT_REASONS, ...: []}."""
    state: dict = {"kept": False, "reason": None, "authors_kept_disabled": [], "not_restored": []}
    now = _read_account_tables(replaced)
    if isinstance(now, str):
        return {**state, "reason": now}
    try:
        with contextlib.closing(sqlite3.connect(restored, timeout=30, isolation_level=None)) as dst:
            dst.execute("BEGIN IMMEDIATE")  # one transaction, the DROP and CREATE too: all of it or none
            try:
                _put_accounts(dst, now, state)
                dst.execute("COMMIT")
            except BaseException:
                dst.execute("ROLLBACK")
                raise
    except sqlite3.Error as exc:  # the staged copy, checked by verify: said, nothing changed
        raise BackupError(f"The accounts of {replaced.name} could not be kept in the restored database ({exc}): "
                          "nothing was changed.",
                          f"无法在恢复的数据库中保留 {replaced.name} 的账号（{exc}）：未做任何改动。",
                          details={"db": str(replaced)}) from None
    return {**state, "kept": True}


def _put_accounts(dst: sqlite3.Connection, now: dict[str, dict], state: dict) -> None:
    """_keep_accounts's writing, inside its transaction: ``now``'s account tables replace the backup's (a table
    ``now`` lacks is left out: the app creates it empty), then the proposals' authors (said in ``state``)."""
    tables = _tables(dst)
    backup_users: dict[str, dict] = {}
    if "users" in tables:
        cols = [r[1] for r in dst.execute("PRAGMA table_info(users)")]
        if "id" in cols:
            for row in dst.execute(f"SELECT {', '.join(map(_quoted, cols))} FROM users"):  # noqa: S608
                r = dict(zip(cols, row))
                backup_users[str(r["id"])] = r
    for t in ACCOUNT_TABLES:
        if t in tables:
            dst.execute(f"DROP TABLE {_quoted(t)}")  # its indexes with it
        if t not in now:
            continue
        kept = now[t]
        dst.execute(kept["sql"])
        for sql in kept["indexes"]:
            dst.execute(sql)
        if kept["rows"]:
            dst.executemany(f"INSERT INTO {_quoted(t)} ({', '.join(map(_quoted, kept['columns']))}) "  # noqa: S608
                            f"VALUES ({', '.join('?' for _ in kept['columns'])})", kept["rows"])
    users_cols = now["users"]["columns"]
    kept_ids = {str(r[users_cols.index("id")]) for r in now["users"]["rows"]} if "id" in users_cols else set()
    owners: set[str] = set()
    if "proposals" in tables and "owner" in {r[1] for r in dst.execute("PRAGMA table_info(proposals)")}:
        owners = {str(r[0]) for r in dst.execute("SELECT DISTINCT owner FROM proposals WHERE owner IS NOT NULL")}
    taken = {str(r[0]).casefold() for r in dst.execute("SELECT name FROM users")} if "name" in users_cols else set()
    if "former_names" in now:
        taken |= {str(r[0]).casefold() for r in dst.execute("SELECT name FROM former_names")}
    authors = []
    for uid in sorted(owners - kept_ids):
        row = backup_users.get(uid)
        if row is None or "id" not in users_cols or "disabled" not in users_cols:
            continue  # not an account of the backup ("local", the open server's user), or one never enabled here
        row = {**row, "disabled": 1}
        if "name" in row and "name" in users_cols:
            name, n = str(row["name"]), 1
            while name.casefold() in taken:
                name = f"{row['name']}-backup" + (str(n) if n > 1 else "")
                n += 1
            row["name"] = name
            taken.add(name.casefold())
        cols = [c for c in users_cols if c in row]
        try:
            dst.execute("SAVEPOINT author")
            dst.execute(f"INSERT INTO users ({', '.join(map(_quoted, cols))}) VALUES ({', '.join('?' for _ in cols)})",  # noqa: S608
                        [row[c] for c in cols])
            dst.execute("RELEASE author")
        except sqlite3.IntegrityError:  # a column the kept schema requires and the backup's row lacks
            dst.execute("ROLLBACK TO author")
            dst.execute("RELEASE author")
            continue
        kept_ids.add(uid)
        authors.append(str(row.get("name", uid)))
    state["authors_kept_disabled"] = sorted(authors, key=str.casefold)
    state["not_restored"] = sorted((str(r.get("name", i)) for i, r in backup_users.items() if i not in kept_ids),
                                   key=str.casefold)


def _carry_audit(replaced: Path, restored: Path) -> int:
    """Append to the audit log of ``restored`` (staged) the entries of ``replaced`` it does not hold: those made
    after the backup (a newer id or time, and not the same entry), in their order, before the restore writes its
    own entry. The audit log is history: a restore replaced it with the backup's copy, and the account disabled
    after the backup, the morning's imports and the earlier restores' own entries were gone from /admin (QA 32).
    Their ids are kept when they are free (the same server's log: ids only grow), else numbered on after the
    restored log's last. Returns how many were carried; 0 when ``replaced`` has no audit log or cannot be read
    (a damaged database: the restore goes on, with the backup's log)."""
    if not replaced.is_file():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(replaced, timeout=30)) as src, \
                contextlib.closing(sqlite3.connect(restored, timeout=30)) as dst, dst:
            if "audit" not in _tables(src):
                return 0
            if "audit" not in _tables(dst):  # a backup made before the log existed: the replaced one's table
                dst.execute(src.execute("SELECT sql FROM sqlite_master WHERE type='table' AND name='audit'")
                            .fetchone()[0])
            have = {r[1] for r in dst.execute("PRAGMA table_info(audit)")}
            cols = [r[1] for r in src.execute("PRAGMA table_info(audit)") if r[1] in have]
            if "id" not in cols or "at" not in cols:
                return 0
            top_id, top_at = dst.execute("SELECT COALESCE(MAX(id), 0), COALESCE(MAX(at), 0) FROM audit").fetchone()
            names, marks = ", ".join(cols), ", ".join("?" for _ in cols)
            i_id, i_at = cols.index("id"), cols.index("at")
            rows = src.execute(f"SELECT {names} FROM audit WHERE id > ? OR at > ? ORDER BY id",  # noqa: S608
                               (top_id, top_at)).fetchall()
            # one the restored log holds too (its id, at the same time) is the same entry: not twice
            rows = [r for r in rows if r[i_id] > top_id or dst.execute(
                "SELECT 1 FROM audit WHERE id = ? AND at = ?", (r[i_id], r[i_at])).fetchone() is None]
            keep_ids = all(r[i_id] > top_id for r in rows)
            if not keep_ids:  # another server's log: numbered on after the restored one's, in time order
                rows.sort(key=lambda r: (r[i_at], r[i_id]))
            for r in rows:
                dst.execute(f"INSERT INTO audit ({names}) VALUES ({marks})",  # noqa: S608
                            [None if (k == i_id and not keep_ids) else v for k, v in enumerate(r)])
            return len(rows)
    except sqlite3.Error:  # a damaged replaced log: nothing carried (the transaction undone), the restore goes on
        return 0


def describe(manifest: dict) -> dict:
    """What a backup holds, for the CLI's answer."""
    files = manifest.get("files") or {}
    created = manifest.get("created_iso")
    return {"created": created if isinstance(created, str) else None, "versions": manifest.get("versions"),
            "missing_versions": manifest.get("missing_versions") or [],
            "files": len(files), "bytes": sum(int(m.get("bytes", 0)) for m in files.values()),
            "reports": len(manifest.get(REPORTS) or [])}

