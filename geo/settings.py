"""One place for paths and defaults that several modules share.

Every value can be overridden by an environment variable so that a planner's
installation (or a test) can point coverplan elsewhere without code changes.
An empty variable counts as unset. A value that cannot be used is never a
traceback at import: :func:`check_environment` (run by the CLI before any
command) and the readers below say which variable, its value and what it may
be, as an InputDataError.
"""
from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path

from geo.errors import InputDataError

#: Repository root (``geo/..``). The project is installed editable, so the
#: ``data/`` folder beside the packages is the one that ships.
PROJECT_DIR = Path(__file__).resolve().parent.parent


def _env(name: str) -> str | None:
    """The variable's value, None when unset, empty or blank: COVERPLAN_VAR="" put the database in the
    current folder (Path("") is "."), where the other variables already took "" as unset (QA 22)."""
    value = os.environ.get(name)
    return value if value is not None and value.strip() else None


#: The path variables as given when this module was imported (None: unset), for check_environment's words.
_GIVEN = {name: _env(name) for name in ("COVERPLAN_DATA", "COVERPLAN_CACHE", "COVERPLAN_VAR")}

#: Shipped data: regions, facility types, plan rules.
DATA_DIR = Path(_GIVEN["COVERPLAN_DATA"] or PROJECT_DIR / "data")

#: Caches (road graphs, OD matrices). Safe to delete.
CACHE_DIR = Path(_GIVEN["COVERPLAN_CACHE"] or PROJECT_DIR / "cache")

#: Saved work (proposals) lives in an SQLite file here.
VAR_DIR = Path(_GIVEN["COVERPLAN_VAR"] or PROJECT_DIR / "var")

#: Storage CRS of every layer (WGS84 lon/lat). Tianditu's CGCS2000 (EPSG:4490)
#: differs from it by under a metre, far below our approximation error.
STORAGE_CRS = "EPSG:4326"

#: Metric CRS for distances and areas: UTM zone 49N covers all of Shiyan
#: (108.9E-111.6E lies within 108E-114E).
METRIC_CRS = "EPSG:32649"

#: Default language of messages: "zh" (Chinese) or "en".
LANG = os.environ.get("COVERPLAN_LANG", "zh")

DEFAULT_REGION = "shiyan"

#: Processes that share a large contraction-hierarchy matrix (geo.router):
#: 0 = one per usable CPU core, 1 = never fork. The bindings hold Python's
#: GIL, so threads would not help; forked processes inherit the customised
#: hierarchy for free. Forking is skipped in a multi-threaded process (the web
#: server), where it is not safe. None: COVERPLAN_ROUTER_PROCESSES, read by
#: :func:`router_processes` when needed (int() at import made "abc" a
#: traceback on every command: QA 22).
ROUTER_PROCESSES: int | None = None

#: Background maps of the web pages (COVERPLAN_BASEMAP, `coverplan serve --basemap`).
BASEMAPS = ("none", "osm", "tianditu")


def _shown(value: str) -> str:
    """A variable's value as typed, control and direction characters escaped (\\u202e), at most 240 characters
    (a real folder's path is said whole: at 80 a deep one was cut before the part that was wrong)."""
    # past U+FFFF in 8 digits (\\U000e0041): "\\ue0041" reads as U+E004 and a 1
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08x}"
                   for c in value)
    return text if len(text) <= 240 else text[:240] + "…"


def env_error(name: str, value: str, en: str, zh: str) -> InputDataError:
    """The one sentence saying that environment variable ``name`` has a ``value`` coverplan cannot use:
    ``en``/``zh`` say what is wrong and what to set instead."""
    v = _shown(value)
    return InputDataError(f"{name}={v} {en}", f"环境变量 {name}={v} {zh}", details={"parameter": name, "value": value})


def env_choice(name: str, choices: tuple[str, ...], default: str, en: str, zh: str) -> str:
    """Variable ``name`` as one of ``choices``, in any case and with spaces around it (OSM is osm);
    ``default`` when unset or empty. Any other value is an InputDataError (``en``/``zh``: what it is not,
    "is not a basemap"); it was taken silently (QA 22)."""
    raw = _env(name)
    if raw is None:
        return default
    if (value := raw.strip().lower()) in choices:
        return value
    raise env_error(name, raw, f"{en}: use {', '.join(choices[:-1])} or {choices[-1]}, or unset it ({default}).",
                    f"{zh}：可用 {'、'.join(choices[:-1])} 或 {choices[-1]}，或取消该变量（即 {default}）。")


def basemap_env() -> str:
    """COVERPLAN_BASEMAP as one of :data:`BASEMAPS` (OSM is osm: map.js draws only "osm"), none when unset."""
    return env_choice("COVERPLAN_BASEMAP", BASEMAPS, "none", "is not a basemap", "不是可用的底图")


def router_processes() -> int:
    """:data:`ROUTER_PROCESSES`, else COVERPLAN_ROUTER_PROCESSES (0 when unset): a whole number from 0 in
    ASCII digits ("1e9", "2.5", "1_0", "-1" are refused, not read as another number)."""
    if ROUTER_PROCESSES is not None:
        return ROUTER_PROCESSES
    raw = _env("COVERPLAN_ROUTER_PROCESSES")
    if raw is None:
        return 0
    most = max_router_processes()
    if re.fullmatch(r"-[0-9]+", raw.strip()):  # a whole number, but no number of processes (QA 28: "-3 is not a
        # whole number" was not true)
        raise env_error("COVERPLAN_ROUTER_PROCESSES", raw,
                        f"is below 0: the number of processes must be 0 or more (0: one per CPU core, 1: never "
                        f"fork, at most {most}), or unset it.",
                        f"小于 0：进程数须为 0 或以上（0：每个 CPU 核一个进程；1：不另开进程；最多 {most}），或取消该变量。")
    if not re.fullmatch(r"[0-9]+", raw.strip()):
        raise env_error("COVERPLAN_ROUTER_PROCESSES", raw,
                        "is not a whole number of processes: set it to 0 (one per CPU core), 1 (never fork) "
                        "or another number of processes, or unset it.",
                        "不是整数进程数：请设为 0（每个 CPU 核一个进程）、1（不另开进程）或其他进程数，或取消该变量。")
    if int(raw) > most:  # 99999 was taken: as many forks as sweeps allow, each a copy of the hierarchy
        cpus = usable_cpus()
        raise env_error("COVERPLAN_ROUTER_PROCESSES", raw,
                        f"is more than {most}, the most this computer uses ({ROUTER_PER_CPU} per CPU core; it has "
                        f"{cpus}): set it to a number from 0 (one per CPU core) to {most}, or unset it.",
                        f"超过本机可用的最大进程数 {most}（每个 CPU 核 {ROUTER_PER_CPU} 个，本机有 {cpus} 个）：请设为 0"
                        f"（每个 CPU 核一个进程）至 {most} 之间的整数，或取消该变量。")
    return int(raw)


#: COVERPLAN_ROUTER_PROCESSES may ask for at most this many processes per usable CPU core.
ROUTER_PER_CPU = 4


def usable_cpus() -> int:
    """The CPU cores this process may run on (its affinity; all of the machine's where that is unknown)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def max_router_processes() -> int:
    """The most processes COVERPLAN_ROUTER_PROCESSES may ask for: :data:`ROUTER_PER_CPU` per usable core."""
    return ROUTER_PER_CPU * usable_cpus()


def _unwritable(path: Path, db_name: str = "proposals.sqlite") -> tuple[str, str] | None:
    """Why coverplan cannot keep its database in the existing folder ``path`` (en, zh), or None: a file cannot be
    made in it (no permission, a read-only disk, /proc), or its proposals.sqlite cannot be read and written.
    SQLite said so in a traceback, "unable to open database file" (QA 28)."""
    try:  # made and removed at once: os.access says yes to root, where /proc still refuses a file
        os.rmdir(tempfile.mkdtemp(prefix=".coverplan-check-", dir=path))
    except OSError as exc:
        why = {errno.EACCES: ("no permission", "没有权限"), errno.EPERM: ("no permission", "没有权限"),
               errno.EROFS: ("a read-only disk", "磁盘只读")}.get(
            exc.errno, ("a system or read-only folder", "系统文件夹或只读文件夹"))
        return (f"names a folder coverplan cannot write in ({why[0]}: no file can be made there)",
                f"所指的文件夹无法写入（{why[1]}：无法在其中创建文件）")
    db = path / db_name
    if db.exists() and not os.access(db, os.R_OK | os.W_OK):
        return (f"holds a {db_name} that coverplan cannot read and write (no permission for {db})",
                f"所含的 {db_name} 无法读写（对 {db} 没有读写权限）")
    return None


def _folder_problem(path: Path, *, must_exist: bool, writable: bool = False) -> tuple[str, str] | None:
    """What keeps ``path`` from being used as a folder (en, zh), or None: a file there, no such folder
    (``must_exist``), one that cannot be made (its nearest existing parent is a file or not writable), or
    (``writable``) an existing one that coverplan cannot write in."""
    if path.exists():
        if not path.is_dir():
            return "is a file, not a folder", "是文件而非文件夹"
        if writable:
            return _unwritable(path)
        return None
    if must_exist:
        return "names no existing folder", "所指的文件夹不存在"
    parent = path.absolute().parent
    while not parent.exists():
        parent = parent.parent
    try:  # made and removed at once: os.access says yes to root, where /proc still refuses a folder
        os.rmdir(tempfile.mkdtemp(prefix=".coverplan-check-", dir=parent))
    except OSError:
        return (f"names a folder that cannot be made ({parent} is not a writable folder)",
                f"所指的文件夹无法创建（{parent} 不是可写的文件夹）")
    return None


def db_file_problem(db: str | Path) -> tuple[str, str] | None:
    """Why coverplan cannot keep its database at ``db`` (en, zh: what the path names), or None: a folder there,
    a parent that is a file, a folder that cannot be made or written in, a file it cannot read and write.
    ``serve --db`` in such a place was a sqlite traceback."""
    db = Path(db)
    if db.is_dir():
        return "is a folder, not a database file", "是文件夹而非数据库文件"
    parent = db.absolute().parent
    for up in (parent, *parent.parents):
        if up.exists():
            if not up.is_dir():
                return (f"lies under {up}, which is a file, not a folder", f"位于 {up} 之下，而 {up} 是文件而非文件夹")
            break
    problem = _folder_problem(parent, must_exist=False) if not parent.exists() else _unwritable(parent, db.name)
    if problem is None or not problem[0].startswith("names a folder"):
        return problem
    # said of the file's folder, named: "names a folder ..." reads as if --db had named the folder
    return (f"lies in {parent}, a folder{problem[0][len('names a folder'):]}",
            f"所在的文件夹 {parent} {problem[1][len('所指的文件夹'):]}")


def check_environment() -> None:
    """The COVERPLAN_* variables of this module, checked before any work (cli.main): a value that cannot
    be used raises the one sentence naming it, its value and what to set instead. A wrong folder was a
    traceback (COVERPLAN_VAR a file) or advice on TOML syntax (COVERPLAN_DATA=/nonexistent): QA 22."""
    router_processes()
    purposes = {
        "COVERPLAN_DATA": (DATA_DIR, "coverplan's data folder (the one holding facility_types.toml and regions/), "
                           "or unset it to use the shipped one",
                           " coverplan 的数据文件夹（含 facility_types.toml 与 regions/），或取消该变量以使用自带的数据"),
        "COVERPLAN_VAR": (VAR_DIR, "the folder for saved work (proposals.sqlite), or unset it",
                          "保存工作成果（proposals.sqlite）的文件夹，或取消该变量"),
        "COVERPLAN_CACHE": (CACHE_DIR, "a folder for caches (road graphs, travel-time matrices), or unset it",
                            "存放缓存（路网、出行时间矩阵）的文件夹，或取消该变量"),
    }
    for name, (path, en, zh) in purposes.items():
        if _GIVEN[name] is None:  # the default folders are the installation's, not the user's setting
            continue
        problem = _folder_problem(path, must_exist=name == "COVERPLAN_DATA", writable=name == "COVERPLAN_VAR")
        if problem is None and name == "COVERPLAN_DATA" and not (path / "facility_types.toml").is_file():
            problem = "holds no facility_types.toml", "所指的文件夹中没有 facility_types.toml"
        if problem is not None:
            raise env_error(name, _GIVEN[name], f"{problem[0]}: point it at {en}.", f"{problem[1]}：请指向{zh}。")
