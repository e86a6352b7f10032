"""Zip archives that planners upload (zipped Shapefiles, KMZ, and XLSX, which is a zip too).

An upload is untrusted: a member named ``../../x`` (zip slip), thousands of
members, or a small file that inflates to gigabytes (zip bomb) is refused
before anything is unpacked. Members that are used are copied out under
names chosen here, so no member name ever becomes a path.
"""
from __future__ import annotations

import lzma
import re
import shutil
import stat
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from geo.errors import InputDataError

#: At most this many members (a zipped Shapefile has 4-8).
MAX_MEMBERS = 200
#: At most this many bytes once unpacked, all members together.
MAX_UNZIPPED = 500 * 1024 * 1024
#: At most this unpacked/packed ratio. Only judged past RATIO_FLOOR bytes: small
#: files of repeated text (an XLSX's styles) compress far better than 100:1 harmlessly.
MAX_RATIO = 100
RATIO_FLOOR = 10 * 1024 * 1024

_DRIVE = re.compile(r"^[A-Za-z]:")


def check_file(path) -> Path:
    """``path`` as a Path when it is a file; else what it is instead, in both languages: not there at all,
    or a folder (a folder was reported as "file not found", although it is there)."""
    path = Path(path)
    if path.is_file():
        return path
    if path.is_dir():
        raise InputDataError(f"{path} is a folder, not a file.", f"{path} 是文件夹而不是文件。",
                             hint_en="Give the file inside it (e.g. its .csv or .zip).",
                             hint_zh="请指定该文件夹中的文件（如其中的 .csv 或 .zip）。", details={"path": str(path)})
    if path.exists():  # a device (/dev/zero), a pipe, a socket: there, but nothing a reader can size or seek
        raise InputDataError(f"{path} is not a regular file (a device, a pipe or a socket).",
                             f"{path} 不是普通文件（可能是设备、管道或套接字）。",
                             hint_en="Save the data to a file first and give that file.",
                             hint_zh="请先把数据保存为文件，再指定该文件。", details={"path": str(path)})
    raise InputDataError(f"File not found: {path}.", f"找不到文件：{path}。",
                         hint_en="Check the path.", hint_zh="请检查文件路径。", details={"path": str(path)})


def file_error(label: str, en: str, zh: str, hint_en: str, hint_zh: str, **details) -> InputDataError:
    """A whole-file problem of an upload: what is wrong with ``label``, and how to fix it."""
    return InputDataError(f"{label}: {en}", f"{label}：{zh}", hint_en=hint_en, hint_zh=hint_zh,
                          details={"file": label, **details})


def _unsafe(name: str) -> bool:
    """A member name that would land outside the folder it is unpacked into."""
    norm = name.replace("\\", "/")
    return norm.startswith("/") or bool(_DRIVE.match(norm)) or ".." in PurePosixPath(norm).parts


def _is_link(info: zipfile.ZipInfo) -> bool:
    """A member stored as a symbolic link (Unix mode in the high bits of external_attr)."""
    return stat.S_ISLNK(info.external_attr >> 16)


#: Archives inside the archive: never opened (a bomb can hide one level down), so refused.
NESTED = (".zip", ".kmz", ".7z", ".rar", ".gz", ".tgz", ".bz2", ".xz", ".tar")


def damaged_error(label: str, exc: Exception | None = None, *, workbook: bool = False,
                  ext: str = ".xlsx") -> InputDataError:
    """The refusal of an archive (a ``workbook``: an .xlsx, or another workbook of extension ``ext``) that cannot be
    read through: no zip at all, or a member whose data is cut off or altered (a bad CRC, a broken Deflate stream).
    The reader's own words stay in ``details`` only: zipfile's English inside the Chinese message told a planner
    nothing (QA 29)."""
    reason = {"reason": str(exc)} if exc is not None else {}
    if workbook:
        return InputDataError(f"{label}: the workbook is damaged or incomplete (a cut-off download or copy, or not "
                              f"an {ext} file at all), so it cannot be read.",
                              f"{label}：工作簿已损坏或不完整（下载或复制中断，或并非 {ext} 文件），无法读取。",
                              hint_en="Open it in Excel or WPS and save it again as .xlsx (or as CSV), then use "
                                      "the saved file.",
                              hint_zh="请用 Excel 或 WPS 打开后重新另存为 .xlsx（或 CSV），再使用保存后的文件。",
                              details={"file": label, **reason})
    return InputDataError(f"{label}: the archive is damaged or incomplete (a cut-off download or copy): a file in "
                          "it cannot be unpacked.",
                          f"{label}：压缩包已损坏或不完整（下载或复制中断），其中的文件无法解压。",
                          hint_en="Zip the files again (zip format, not rar or 7z) and use the new archive.",
                          hint_zh="请重新用 zip 格式压缩这些文件（不要使用 rar、7z），再使用新的压缩包。",
                          details={"file": label, **reason})


#: What reading a member raises when the archive's data is damaged: a bad CRC or a cut-off member (BadZipFile,
#: EOFError), a broken Deflate or LZMA stream (zlib.error, LZMAError), a method zipfile has no decompressor for
#: (NotImplementedError; open_checked refuses those first). Review of QA 35: each was an uncaught exception.
DAMAGED = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, NotImplementedError)


@contextmanager
def member_reads(label: str, *, workbook: bool = False):
    """Read members of the archive ``label`` inside this: its data found damaged is :func:`damaged_error`."""
    try:
        yield
    except DAMAGED as exc:
        raise damaged_error(label, exc, workbook=workbook) from exc


def password_error(label: str, *, workbook: bool = False) -> InputDataError:
    """The refusal of an archive (a ``workbook``) that needs a password to open: nothing in it can be read here."""
    if workbook:
        return InputDataError(f"{label}: the workbook is password-protected, so it cannot be read.",
                              f"{label}：工作簿设有打开密码，无法读取。",
                              hint_en="Open it in Excel or WPS, remove the password (File > Info > Protect Workbook > "
                                      "Encrypt with Password, leave it empty) and save it again, then use the saved "
                                      "file.",
                              hint_zh="请用 Excel 或 WPS 打开，取消密码（文件 > 信息 > 保护工作簿 > 用密码进行加密，"
                                      "清空密码）后重新保存，再使用保存后的文件。",
                              details={"file": label, "encrypted": True})
    return InputDataError(f"{label}: the archive is password-protected, so its files cannot be unpacked.",
                          f"{label}：压缩包设有密码，其中的文件无法解压。",
                          hint_en="Zip the files again without a password and use the new archive.",
                          hint_zh="请不设密码重新压缩这些文件，再使用新的压缩包。",
                          details={"file": label, "encrypted": True})


#: Compression methods zipfile unpacks (stored, Deflate, bzip2, LZMA); the names of some it does not, as zip
#: programs call them (7-Zip's "Deflate64", WinZip's "PPMd") so that the planner can find the setting.
READABLE_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)
METHOD_NAMES = {1: "Shrink", 6: "Implode", 9: "Deflate64", 10: "PKWARE Implode", 18: "IBM TERSE", 19: "LZ77",
                93: "Zstandard", 94: "MP3", 95: "XZ", 96: "JPEG", 97: "WavPack", 98: "PPMd", 99: "AES"}


def open_checked(path: Path, label: str | None = None, *, workbook: bool = False) -> zipfile.ZipFile:
    """Open ``path`` as a zip after the safety checks; raise InputDataError otherwise. A ``workbook`` (.xlsx, a
    zip inside) that is no zip is said as a damaged or incomplete workbook: it was told to re-zip its files, with
    zipfile's English words inside the Chinese message (QA 29). A member that needs a password, or that is
    compressed in a way zipfile cannot unpack (7-Zip's Deflate64), is refused here: reading it raised an uncaught
    RuntimeError or NotImplementedError (review of QA 35). Read the members inside :func:`member_reads`."""
    label = label or path.name
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        if workbook:
            raise damaged_error(label, exc, workbook=True) from exc
        raise InputDataError(f"{label}: not a valid zip archive ({exc}).",
                             f"{label}：不是有效的 zip 压缩文件。",
                             hint_en="Zip the files again (zip format, not rar or 7z).",
                             hint_zh="请重新用 zip 格式压缩（不要使用 rar、7z）。",
                             details={"file": label, "reason": str(exc)}) from exc
    infos = zf.infolist()
    try:
        if len(infos) > MAX_MEMBERS:
            raise InputDataError(
                f"{label}: the archive holds {len(infos)} files; at most {MAX_MEMBERS} are accepted.",
                f"{label}：压缩包内有 {len(infos)} 个文件，最多接受 {MAX_MEMBERS} 个。",
                hint_en="Zip only the layer's files (.shp, .shx, .dbf, .prj, .cpg).",
                hint_zh="请只压缩该图层的文件（.shp、.shx、.dbf、.prj、.cpg）。",
                details={"members": len(infos), "limit": MAX_MEMBERS})
        bad = [i.filename for i in infos if _unsafe(i.filename)]
        if bad:
            raise InputDataError(
                f"{label}: refused: member(s) {bad[:5]} point outside the archive's folder "
                "(absolute path or '..').",
                f"{label}：已拒绝：压缩包中的 {bad[:5]} 指向压缩包目录之外（绝对路径或“..”）。",
                hint_en="Zip the files again from their own folder.",
                hint_zh="请在文件所在目录中重新压缩。", details={"members": bad})
        links = [i.filename for i in infos if _is_link(i)]
        if links:
            raise InputDataError(
                f"{label}: refused: member(s) {links[:5]} are symbolic links.",
                f"{label}：已拒绝：压缩包中的 {links[:5]} 是符号链接（快捷方式）。",
                hint_en="Zip the files themselves, not links to them.",
                hint_zh="请压缩文件本身，不要压缩指向文件的链接。", details={"members": links})
        nested = [i.filename for i in infos if i.filename.lower().endswith(NESTED)]
        if nested and not path.suffix.lower() == ".xlsx":  # a workbook may embed another workbook
            raise InputDataError(
                f"{label}: refused: the archive holds other archives ({nested[:5]}); they are not unpacked.",
                f"{label}：已拒绝：压缩包中还有压缩文件（{nested[:5]}），不支持多层压缩。",
                hint_en="Unpack the inner archive and zip the layer's files directly.",
                hint_zh="请先解开内层压缩包，再直接压缩图层文件。", details={"members": nested})
        total = sum(i.file_size for i in infos)
        packed = sum(i.compress_size for i in infos) or 1
        if total > MAX_UNZIPPED:
            raise InputDataError(
                f"{label}: unpacks to {total / 2**20:.0f} MB; at most {MAX_UNZIPPED / 2**20:.0f} MB are accepted.",
                f"{label}：解压后 {total / 2**20:.0f} MB，最多接受 {MAX_UNZIPPED / 2**20:.0f} MB。",
                hint_en="Split the layer or keep only the region's features.",
                hint_zh="请拆分图层，或只保留本地区的要素。", details={"unzipped": total})
        if total > RATIO_FLOOR and total / packed > MAX_RATIO:
            raise InputDataError(
                f"{label}: refused: compressed {total / packed:.0f}:1 (more than {MAX_RATIO}:1 is treated "
                "as a zip bomb).",
                f"{label}：已拒绝：压缩比 {total / packed:.0f}:1（超过 {MAX_RATIO}:1 视为恶意压缩文件）。",
                hint_en="Upload the original data files.", hint_zh="请上传原始数据文件。",
                details={"ratio": total / packed})
        if any(i.flag_bits & 0x1 for i in infos):  # (bit 0 of the flags: the member is encrypted)
            raise password_error(label, workbook=workbook)
        odd = sorted({i.compress_type for i in infos if i.compress_type not in READABLE_METHODS})
        if odd and workbook:  # (Excel and WPS write Deflate: another method is no workbook they saved)
            raise damaged_error(label, workbook=True)
        if odd:
            named = ", ".join(METHOD_NAMES.get(m, f"method {m}") for m in odd)
            used = [i.filename for i in infos if i.compress_type in odd]
            raise InputDataError(
                f"{label}: the archive is compressed with {named}, which cannot be unpacked here "
                f"({', '.join(used[:5])}).",
                f"{label}：压缩包使用了无法在此解压的压缩方式 {named}（{'、'.join(used[:5])}）。",
                hint_en="Zip the files again with the standard Deflate method (the default zip setting; in 7-Zip "
                        "choose Deflate, not Deflate64), and use the new archive.",
                hint_zh="请用标准的 Deflate 压缩方式重新压缩（zip 的默认设置；7-Zip 中请选 Deflate 而不是 Deflate64），"
                        "再使用新的压缩包。", details={"file": label, "methods": odd, "members": used[:20]})
    except InputDataError:
        zf.close()
        raise
    return zf


def members(zf: zipfile.ZipFile, suffix: str) -> list[str]:
    """Member names ending in ``suffix`` (case-insensitive), macOS resource forks skipped."""
    return [n for n in zf.namelist()
            if n.lower().endswith(suffix) and "__MACOSX/" not in n and not PurePosixPath(n).name.startswith("._")]


def copy_member(zf: zipfile.ZipFile, name: str, target: Path, label: str | None = None) -> Path:
    """Copy one member to ``target`` (a path we chose) and return it; a member whose data is damaged is the
    archive's (``label``, else its file name) :func:`damaged_error`."""
    with member_reads(label or Path(str(zf.filename or "archive.zip")).name):
        with zf.open(name) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return target


# a path starts a word: "and/or" in a GDAL sentence is not one (it became "anddeep.geojson")
_PATHS = __import__("re").compile(r"(?<![\w.])(?:/vsizip/)?(?:[A-Za-z]:)?[/\\][^\s'\"()]+")


#: GDAL complaints a planner can act on, said in words (the rest are passed on, paths removed).
_READER_REASONS = (
    ("not recognized as being in a supported file format",
     "its content is not a GIS layer the reader recognises: damaged, or another format under this name",
     "文件内容不是可识别的GIS图层，可能已损坏或扩展名与内容不符"),
    ("No such file or directory", "a file of the layer is missing", "图层缺少文件"),
    ("Too many nested objects", "its brackets are nested thousands of levels deep: not a GIS layer",
     "括号嵌套达数千层，不是GIS图层"),
    # QA 18: a damaged GeoPackage answered with SQLite's query text, a KML with a DOCTYPE with the parser's
    ("sqlite3_", "a damaged GeoPackage: its SQLite database cannot be read",
     "GeoPackage 文件已损坏，其中的 SQLite 数据库无法读取"),
    ("file is not a database", "a damaged GeoPackage: its SQLite database cannot be read",
     "GeoPackage 文件已损坏，其中的 SQLite 数据库无法读取"),
    ("parsing kml", "a KML the reader cannot parse (damaged XML, or a DOCTYPE or entity declaration, which "
     "is not read for safety)", "KML 无法解析（XML 已损坏，或含有出于安全考虑不予读取的 DOCTYPE/实体声明）"),
    # QA 23: GEOS's words for a ring of fewer than four points, or one whose last point is not its first
    ("do not form a closed linestring", "a polygon's ring is not closed (its last point must repeat its first, "
     "and a ring needs at least 4 points)", "有面要素的边界环未闭合（末点须与首点相同，且一个环至少有 4 个点）"),
    ("Invalid number of points in LinearRing", "a polygon's ring has too few points (a ring needs at least 4, "
     "the last repeating the first)", "有面要素的边界环点数过少（一个环至少 4 个点，末点与首点相同）"),
    # QA 33: a GBK file read as UTF-8 said Python's codec words ("'utf-8' codec can't decode byte 0xbb") in the
    # Chinese message
    ("codec can't decode", "its text is not in the encoding it was read as, e.g. GBK text read as UTF-8",
     "文件中的文字不是读取时所用的编码，如 GBK 编码的文件按 UTF-8 读取"),
)


#: What to do about a reader's complaint that the file's format is not the problem (its geometry is): the
#: usual "use GeoJSON ..." hint read as if the format were wrong (QA 23: an unclosed ring in a GeoJSON).
_READER_HINTS = (
    (("do not form a closed linestring", "Invalid number of points in LinearRing"),
     "Close the ring in your GIS program (its last point the same as its first; e.g. Repair/Fix Geometry) and "
     "export the layer again.", "请在GIS软件中闭合该环（末点与首点相同，如使用“修复几何”）后重新导出图层。"),
    (("codec can't decode",),
     "Give the file's text encoding (gbk or utf-8) in the Text encoding field on the Data page or with --encoding "
     "on the command line, or save the file again as UTF-8.",
     "请在“数据管理”页面的“文字编码”一栏或在命令行用 --encoding 指定文件的编码（gbk 或 utf-8），或将文件另存为 UTF-8 编码。"),
)


def reader_hint(exc: Exception) -> tuple[str, str] | None:
    """(English, Chinese) fix for a reader's complaint about the file's geometry; None for any other."""
    raw = str(exc)
    return next(((en, zh) for needles, en, zh in _READER_HINTS if any(n in raw for n in needles)), None)


def reader_reason(exc: Exception, label: str) -> tuple[str, str]:
    """(English, Chinese) reason a GIS reader failed: known GDAL messages in words, any
    other as GDAL says it (server paths replaced by the file's name, its developer hints cut)."""
    raw = str(exc)
    for needle, en, zh in _READER_REASONS:
        if needle in raw:
            return en, zh
    why = reader_message(exc, label).split("; It might help", 1)[0]
    return why, f"读取程序报告：{why}"


def reader_message(exc: Exception, label: str) -> str:
    """A GIS reader's complaint for people: the server's file paths in it become the file's own name.

    GDAL names the files it failed on with their full path on the server (an
    upload folder, a /vsizip/ path): meaningless to a planner, and not for
    clients to see.
    """
    return _PATHS.sub(label, str(exc))[:300]
