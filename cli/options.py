"""Options many commands share (--json, --region, --mode, --coords), each added with its help text in one
place, so the same option says the same thing in every command (cli.lang.h: in the run's language)."""
from __future__ import annotations

import argparse
import errno
import math
import os
import re

from cli.lang import h
from geo import settings

#: --coords choices of a facility register (planner.register.COORDS, named here so the parser needs no
#: planner import)
COORDS = ("wgs84", "gcj02", "bd09", "auto", "cgcs2000")


def add_json(p: argparse.ArgumentParser) -> None:
    """--json: the command's result printed as JSON instead of text."""
    p.add_argument("--json", action="store_true", help=h("以 JSON 格式输出结果", "print the result as JSON"))


def add_region(p: argparse.ArgumentParser) -> None:
    """--region: the region worked on (geo.regions), default settings.DEFAULT_REGION."""
    p.add_argument("--region", default=settings.DEFAULT_REGION,
                   help=h("区域（默认 %(default)s，即内置的十堰市）", "region (default %(default)s, the embedded Shiyan)"))


class ModeAction(argparse.Action):
    """--mode, remembering that it was typed (``mode_given``), so a --network without it can imply the
    network and a typed --mode estimate beside --network is said as the contradiction it is (:func:`resolve_mode`)."""

    def __call__(self, parser, namespace, values, option_string=None):
        setattr(namespace, self.dest, values)
        namespace.mode_given = True


def add_mode(p: argparse.ArgumentParser, help_text: str | None = None) -> None:
    """--mode: how travel costs are computed (geo.travel): estimate, or on the --network road graph.
    A --network without --mode measures on the network (:func:`resolve_mode`, QA 27)."""
    p.add_argument("--mode", default="estimate", choices=["estimate", "network"], action=ModeAction,
                   help=help_text or h("出行成本的计算方式：estimate 估算（直线距离×绕行系数，默认；给出 --network 时"
                                       "默认为 network），network 按路网（须给出 --network）",
                                       "how travel costs are computed: estimate (straight line × detour factor, the "
                                       "default without --network) or network (on the road network given by "
                                       "--network; the default when --network is given)"))
    p.set_defaults(mode_given=False)


def resolve_mode(args) -> None:
    """--network given without --mode: measure on it (it ran the estimate without a word: QA 27); --mode
    estimate typed beside --network: refused, as the two say opposite things."""
    from geo.errors import InputDataError

    if not getattr(args, "network", None) or not hasattr(args, "mode"):
        return
    if not getattr(args, "mode_given", False):
        args.mode = "network"
    elif args.mode == "estimate":
        raise InputDataError(f"--mode estimate and --network {args.network} contradict each other: the estimate "
                             "uses no road network.",
                             f"--mode estimate 与 --network {args.network} 相互矛盾：估算不使用路网。",
                             hint_en="Drop --network to run the estimate, or drop --mode estimate (or give --mode "
                                     "network) to measure on the road network.",
                             hint_zh="如需估算，请去掉 --network；如需按路网计算，请去掉 --mode estimate"
                                     "（或改为 --mode network）。",
                             details={"parameter": "mode", "value": "estimate", "network": str(args.network)})


def add_coords(p: argparse.ArgumentParser, choices=COORDS) -> None:
    """--coords: the datum of the --facilities register's coordinates (planner.register), default wgs84."""
    if "auto" in choices:
        text = h("--facilities 名录坐标的坐标系：wgs84（默认；cgcs2000 同此）、gcj02（高德/腾讯）、bd09（百度）、"
                 "auto（按 WGS84 读取，并提示可能的转换）",
                 "datum of the --facilities register's coordinates: wgs84 (default; cgcs2000 the same), "
                 "gcj02 (Amap/Tencent), bd09 (Baidu), auto (read as WGS84, suggest a conversion)")
    else:
        text = h("--facilities 名录坐标的坐标系：wgs84（默认）、gcj02（高德/腾讯）、bd09（百度）",
                 "datum of the --facilities register's coordinates: wgs84 (default), gcj02 (Amap/Tencent), "
                 "bd09 (Baidu)")
    p.add_argument("--coords", default="wgs84", choices=list(choices), help=text)


def add_data_store(p: argparse.ArgumentParser, *, analysis: bool = True) -> None:
    """--db and --data-dir: the data store of the `data` commands, and the one an analysis answers on (its
    current version; an import made with --data-dir was not found by the analyses: QA 19)."""
    zh, en = ("；分析按其当前版本进行", "; the analysis answers on its current version") if analysis else ("", "")
    p.add_argument("--db", help=h(f"数据版本所在的 SQLite 数据库（默认：网页版所用的 VAR_DIR/proposals.sqlite）{zh}",
                                  f"SQLite file of the data versions (default: the web app's, VAR_DIR/proposals.sqlite){en}"))
    p.add_argument("--data-dir", help=h("存放 datasets/ 的文件夹（默认：数据库所在文件夹，与网页版相同）",
                                        "folder holding datasets/ (default: the database's folder, as the web app)"))


def check_data_dir(value, *, create: bool = False) -> None:
    """``--data-dir`` (when given) names a folder that can hold datasets/: one sentence naming the option, what
    is wrong and the fix, before any store is opened. A file given as the folder was a NotADirectoryError
    traceback (`data import`, `data versions`, `data rollback`) or, for the analyses, "the file of layer ...
    is missing or changed; restore it from a backup" (QA 23). ``create``: a command that writes may make a
    folder not there yet (geo.datasets refuses it when the database's versions keep their files elsewhere);
    one that only reads (versions, diff, a dry run, the analyses) makes none: a mistyped folder is said."""
    from geo.errors import InputDataError

    if value is None:
        return
    p = os.fspath(value)
    details = {"parameter": "data-dir", "value": p}
    leave_en = "or leave --data-dir out to use the database's folder (as the web app does)"
    leave_zh = "或不加 --data-dir（即使用数据库所在文件夹，与网页版相同）"
    if not p.strip():
        raise InputDataError(f"--data-dir is empty: give the folder that holds datasets/, {leave_en}.",
                             f"--data-dir 为空：请给出存放 datasets/ 的文件夹，{leave_zh}。", details=details)
    path = os.path.abspath(p)
    if os.path.exists(path) and not os.path.isdir(path):
        raise InputDataError(f"--data-dir {p} is a file, not a folder: give the folder that holds datasets/ "
                             f"(the data versions' files), {leave_en}.",
                             f"--data-dir {p} 是文件而不是文件夹：请给出存放 datasets/（数据版本文件）的文件夹，{leave_zh}。",
                             details=details)
    if os.path.isdir(path):
        return
    # not there: a file on the way (a/b.csv/c) cannot become a folder; else only a writing command makes it
    parent = os.path.dirname(path)
    while parent and not os.path.exists(parent) and os.path.dirname(parent) != parent:
        parent = os.path.dirname(parent)
    if parent and os.path.exists(parent) and not os.path.isdir(parent):
        raise InputDataError(f"--data-dir {p} cannot be a folder: {parent} is a file. Give the folder that holds "
                             f"datasets/, {leave_en}.",
                             f"--data-dir {p} 无法作为文件夹：{parent} 是文件。请给出存放 datasets/ 的文件夹，{leave_zh}。",
                             details={**details, "file": parent})
    if not create:
        raise InputDataError(f"--data-dir {p}: no such folder (this command only reads, so it makes none). Check "
                             f"the path and give the folder that holds datasets/, {leave_en}.",
                             f"--data-dir {p}：文件夹不存在（本命令只读取，不会新建文件夹）。请检查路径，给出存放 "
                             f"datasets/ 的文件夹，{leave_zh}。", details=details)


#: What argparse takes for a negative number, and so for a value rather than an option: its own rule
#: (-1, -0.5) left out -1e5, -1e999, -inf and -nan, so `--standard -inf` was "--standard needs a value"
#: though one was given (cli.main.Parser uses this one).
NEGATIVE_NUMBER = re.compile(r"^-(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf|infinity|nan)$", re.IGNORECASE)


def _plain(text: str) -> str:
    """``text`` as the ASCII number it stands for (planner.textrules.number_text, the web's rule too: full-width
    digits read, "7_136", "٥" and spaces of other kinds refused), or ValueError (argparse then says "invalid ...
    value"): float() and int() took them and read another number (`--target 7_136` ran with 7136: QA 22)."""
    from planner.textrules import number_text

    plain = number_text(text)
    if plain is None:
        raise ValueError(text)
    return plain


class GivenFloat(float):
    """A float that prints as typed: messages echo --radius -3 as -3 (not -3.0) and --time-limit 1e999 as
    1e999 (not inf); README: options are named as typed."""

    def __new__(cls, text: str):
        obj = super().__new__(cls, _plain(text))
        obj.text = text.strip()
        return obj

    def __str__(self) -> str:
        return self.text


def given_float(text: str) -> float:
    """argparse's ``type`` for a number option whose value messages echo as typed (:class:`GivenFloat`)."""
    return GivenFloat(text)


given_float.__name__ = "float"  # argparse names the type in its error ("invalid float value")


#: Digits of a whole-number option read exactly; a longer one (5,000 nines) stands for a number as far beyond every
#: limit, so its checks refuse it, said by its first digits.
LONGEST_INT = 400


def given_int(text: str) -> int:
    """argparse's ``type`` for a whole-number option: a number as the web reads one (1000, 1e3, 1000.),
    whole; nothing else int() takes ("1_0", "٥")."""
    import math

    plain = _plain(text)
    if whole := re.fullmatch(r"([+-]?)([0-9]+)", plain):
        sign, significant = whole[1].replace("+", ""), whole[2].lstrip("0") or "0"
        if len(significant) <= LONGEST_INT:
            return int(sign + significant)  # exact, however long a number can sensibly be
        # int() refuses past 4,300 digits, which argparse said was "not a whole number", echoing every digit (QA 33):
        # a number that large is past every limit anyway; it is said as typed, cut
        from planner.textrules import TypedInt
        return TypedInt(int(sign + significant[:LONGEST_INT]), text.strip()[:40] + "…")
    value = float(plain)
    if not math.isfinite(value) or value != int(value):
        raise ValueError(text)
    from planner.textrules import TypedInt
    return TypedInt(int(value), text.strip())  # --target 1e308 is said as 1e308, not its 309 digits


def shown(value) -> str:
    """A number option's value as typed (a :class:`GivenFloat`), else as Python writes it (a default)."""
    if isinstance(value, GivenFloat):
        return value.text
    return f"{value:g}" if isinstance(value, float) else str(value)


def option_error(flag: str, value, en: str, zh: str, **details):
    """The one sentence saying what is wrong with option ``flag``'s ``value`` (named as typed) and what to give
    instead (``en``/``zh``: that part, without the final stop), as an InputDataError."""
    from geo.errors import InputDataError

    v = shown(value)
    return InputDataError(f"{flag} {v}: {en}.", f"{flag} {v} 无效：{zh}。",
                          details={"parameter": flag.lstrip("-"), "value": v, **details})


# The solvers' own checks (planner.models.base) name their fields (time_limit, gap), as the web's form and
# API call them; on the command line the option is named instead, and checked before any work.
#: The longest time limit the CLI takes, in seconds: a week. A finite 1e308 passed the solvers' own check and
#: ended in an OverflowError traceback from the MIP watchdog's wait (upgrade, propose --sizes: QA 21).
MAX_TIME_LIMIT = 7 * 24 * 3600


def check_time_limit(value: float, flag: str = "--time-limit") -> None:
    """--time-limit (or serve's --solve-time-limit, ``flag``): a finite number of seconds above 0 (the solvers'
    rule, planner.models.base.check_time_limit) and at most :data:`MAX_TIME_LIMIT`, said by the option as typed:
    serve told the planner's field name, "time_limit must be ..., got inf" for --solve-time-limit 1e999 (QA 21)."""
    from geo.errors import InputDataError

    v = shown(value)
    server = flag != "--time-limit"
    who_en, who_zh, eg = ("any solve on the server", "服务器上每次求解", 300) if server else ("the solver", "求解", 60)
    details = {"parameter": flag.lstrip("-"), "value": v}
    if not (math.isfinite(value) and value > 0):
        raise InputDataError(f"{flag} {v}: the time limit must be a finite number of seconds above 0; "
                             f"give the seconds {who_en} may take (e.g. {flag} {eg}).",
                             f"{flag} {v} 无效：求解时限必须为大于 0 的有限秒数，请给出{who_zh}可用的秒数（如 {flag} {eg}）。",
                             details=details)
    if value > MAX_TIME_LIMIT:
        raise InputDataError(f"{flag} {v}: the time limit can be at most {MAX_TIME_LIMIT:,} seconds (a week); "
                             f"give the seconds {who_en} may take (e.g. {flag} {eg}).",
                             f"{flag} {v} 无效：求解时限最多为 {MAX_TIME_LIMIT:,} 秒（一周），请给出{who_zh}可用的秒数"
                             f"（如 {flag} {eg}）。", details={**details, "max": MAX_TIME_LIMIT})


def check_p(value) -> None:
    """--p (propose, solve): a whole number of new sites of at least 1, said as typed before any data is read
    (argparse refuses what is no integer: 2.5, inf, nan). How many the data allows is said after it is loaded
    (:func:`p_error`)."""
    if value is not None and value < 1:
        raise option_error("--p", value, "give the number of new sites, a whole number of at least 1 (e.g. --p 5)",
                           "请填写新建站点数，须为不小于 1 的整数（如 --p 5）")


def check_radius(value) -> None:
    """solve's --radius: a finite distance above 0, in the unit of the costs, said as typed before the CSVs are
    read (the model's own check came after both files had been read, and took 0, a radius nothing is within)."""
    if value is not None and not (math.isfinite(value) and value > 0):
        raise option_error("--radius", value,
                           "the coverage radius must be a finite number above 0, in the unit of the costs "
                           "(the x, y unit, metres, without --costs; e.g. --radius 1000)",
                           "覆盖半径须为大于 0 的有限数，与成本同单位（未给 --costs 时即 x、y 的单位：米；如 --radius 1000）")


def p_error(exc, value, *, more_en: str = "", more_zh: str = ""):
    """The planner's "p = 5 new sites asked, but only 2 candidate sites can be chosen" (planner.models.roles) and
    "At most 40 new sites are possible (one per township ...)" (planner.rationale) said by the option as typed,
    ``--p 5``, with the numbers --p may take; any other error is returned as it is. ``more_*``: how else to
    get there (solve: add candidate sites to --candidates)."""
    from geo.errors import InfeasibleError

    d = getattr(exc, "details", None) or {}
    if not isinstance(exc, InfeasibleError) or value is None or d.get("p") != value:
        return exc
    v = shown(value)
    marks = d.get("site_marks") or {}
    if marks:  # the planner's marks on the map may be why (planner.proposals.solve_instance says so too)
        more_en += (f"; the planner's marks apply ({marks.get('required', 0)} required and {marks.get('forbidden', 0)} "
                    "forbidden candidate sites), and clearing some may allow more")
        more_zh += (f"；本方案遵守规划标记（必选 {marks.get('required', 0)} 个、禁选 {marks.get('forbidden', 0)} 个候选点），"
                    "取消部分标记可能可以新建更多")
    if "choosable" in d:
        n = int(d["choosable"])
        if n < 1:
            # what else to do as a clause of its own ("…, so no new site can be proposed, or add …" read broken: QA 27)
            tail_en, tail_zh = more_en.lstrip(";, "), more_zh.lstrip("；，")
            tail_en = tail_en.removeprefix("or ")
            tail_zh = "请" + tail_zh.removeprefix("或") if tail_zh.startswith("或") else tail_zh
            return InfeasibleError(f"--p {v}: no candidate site is free to choose (every one is an existing facility "
                                   f"or forbidden), so no new site can be proposed{'; ' + tail_en if tail_en else ''}.",
                                   f"--p {v} 无效：没有可选的候选点（均为现有设施或被禁选），无法新建站点"
                                   f"{'；' + tail_zh if tail_zh else ''}。",
                                   details={"parameter": "p", "value": v, **d})
        return InfeasibleError(f"--p {v}: only {n:,} candidate sites can be chosen, so at most {n:,} new sites; "
                               f"give --p from 1 to {n:,}{more_en}.",
                               f"--p {v} 无效：只有 {n:,} 个候选点可选，最多新建 {n:,} 处；请给出 1 至 {n:,} 之间的 --p{more_zh}。",
                               details={"parameter": "p", "value": v, "max": n, **d})
    if "group_max_total" in d:
        n = int(d["group_max_total"])
        return InfeasibleError(f"--p {v}: {exc.en[:1].lower()}{exc.en[1:]} Give --p from 1 to {n:,}, or --model lscp "
                               f"for the fewest sites that cover everyone{more_en}.",
                               f"--p {v} 无效：{exc.zh}请给出 1 至 {n:,} 之间的 --p，或改用 --model lscp（最少设施全覆盖）"
                               f"{more_zh}。",
                               details={"parameter": "p", "value": v, "max": n, **d})
    return exc



def check_gap(value: float) -> None:
    """--gap: a relative MIP gap from 0 up to, not including, 1 (the solvers' rule, LocationModel.solve)."""
    from geo.errors import InputDataError

    if not (0 <= value < 1):  # NaN fails both comparisons
        v = shown(value)
        raise InputDataError(f"--gap {v}: give the relative gap to stop at, from 0 up to (not including) 1 "
                             "(e.g. --gap 0.01 for 1%).",
                             f"--gap {v} 无效：请给出停止求解的相对差距，须不小于 0 且小于 1（如 --gap 0.01 即 1%）。",
                             details={"parameter": "gap", "value": v})


def check_input_file(flag: str, path, *, what_en: str, what_zh: str, links_only: bool = False) -> None:
    """``flag PATH`` names a file to read: what it is instead, said before any work and named by the option,
    in one sentence with what to give (``what_*``: e.g. "a road network (.graphml, .osm or .osm.pbf)"). A link
    whose target is gone was told as a folder or as a missing file without a word of the link (QA 20).
    ``links_only``: only such a link (and an empty value) is said here, the rest by the file's own reader."""
    from geo.errors import InputDataError

    p = os.fspath(path)
    details = {"parameter": flag.lstrip("-"), "value": p}

    def bad(en: str, zh: str) -> InputDataError:
        return InputDataError(en, zh, details=details)

    if not p.strip():
        raise bad(f"{flag} is empty: give {what_en}.", f"{flag} 为空：请给出{what_zh}。")
    if os.path.islink(p) and not os.path.exists(p):
        try:
            os.stat(p)
            loop = False
        except OSError as exc:
            loop = exc.errno == errno.ELOOP
        if loop:
            raise bad(f"{flag} {p}: no such file ({p} is a link that leads back to itself, a loop of links); "
                      f"give {what_en}.",
                      f"{flag} {p}：文件不存在（{p} 是循环链接，最终指回自身）；请给出{what_zh}。")
        target = os.readlink(p)
        raise bad(f"{flag} {p}: no such file ({p} is a link to {target}, which does not exist); give {what_en}.",
                  f"{flag} {p}：文件不存在（{p} 是指向 {target} 的链接，而该目标不存在）；请给出{what_zh}。")
    if links_only:
        return
    if os.path.isdir(p):
        raise bad(f"{flag} {p} is a folder, not a file: give {what_en}.",
                  f"{flag} {p} 是文件夹而不是文件：请给出{what_zh}。")
    if not os.path.exists(p):
        raise bad(f"{flag} {p}: no such file; check the path and give {what_en}.",
                  f"{flag} {p}：文件不存在，请检查路径并给出{what_zh}。")
    if not os.path.isfile(p):  # a device (/dev/zero), a pipe, a socket
        raise bad(f"{flag} {p} is not a regular file (a device, a pipe or a socket): give {what_en}.",
                  f"{flag} {p} 不是普通文件（可能是设备、管道或套接字）：请给出{what_zh}。")
    if not os.access(p, os.R_OK):
        raise bad(f"{flag} {p}: no permission to read the file; give {what_en} this account can read.",
                  f"{flag} {p}：没有读取该文件的权限；请给出本账号能读取的{what_zh}。")


#: What each file option of the analysis commands is, for :func:`check_input_file`'s sentence.
FILES = {
    "facilities": ("a register of facilities (.csv, .xlsx, .xls, .geojson, .zip Shapefile, .gpkg, .kml or .kmz)",
                   "设施名录文件（.csv、.xlsx、.xls、.geojson、.zip Shapefile、.gpkg、.kml 或 .kmz）"),
    "network": ("a road network (.graphml, .osm or .osm.pbf)", "路网文件（.graphml、.osm 或 .osm.pbf）"),
    "proposal": ("a proposal GeoJSON written by `coverplan propose --out plan.geojson`",
                 "由 `coverplan propose --out 方案.geojson` 写出的方案 GeoJSON 文件"),
    "costs": ("the .npz file of travel costs made by `coverplan od` (or numpy.savez(path, costs=matrix))",
              "由 `coverplan od` 生成的出行成本 .npz 文件（或用 numpy.savez(path, costs=矩阵) 保存的文件）"),
    "demand": ("a CSV of demand points (id,x,y,weight)", "需求点 CSV 文件（列为 id,x,y,weight）"),
    "candidates": ("a CSV of candidate sites (id,x,y)", "候选点 CSV 文件（列为 id,x,y）"),
    "origins": ("a CSV of points (id,lon,lat)", "点位 CSV 文件（列为 id,lon,lat）"),
    "destinations": ("a CSV of points (id,lon,lat)", "点位 CSV 文件（列为 id,lon,lat）"),
}


#: File options whose reader says the rest in its own words (cli.output.load_proposal_file for --proposal).
LINKS_ONLY = {"proposal"}


def check_files(args, *names: str) -> None:
    """The file options ``names`` of ``args`` that were given, each checked by :func:`check_input_file`."""
    for name in names:
        value = getattr(args, name, None)
        values = value if isinstance(value, list) else [value]
        for v in values:
            if v is not None:
                check_input_file("--" + name, v, what_en=FILES[name][0], what_zh=FILES[name][1],
                                 links_only=name in LINKS_ONLY)


#: The text encodings --encoding takes (codecs' names, their aliases too: utf8, GBK, cp936, gb2312): those Chinese
#: registers are saved in (geo.points.ENCODINGS, the ones detected) and UTF-16, Excel's "Unicode text", which
#: geo.points names when it finds one without a byte-order mark.
TEXT_ENCODINGS = ("utf-8", "utf-8-sig", "gbk", "gb2312", "gb18030", "utf-16", "utf-16-le", "utf-16-be")


def check_encoding(value) -> str | None:
    """--encoding (data import, solve): one of :data:`TEXT_ENCODINGS`, said before any file is read, else an
    InputDataError. latin1 was taken, read a GBK file's headers as mojibake and then suggested mapping them
    (`--column lon=æºæåç§°`: QA 33). None (not given) stays None: the encoding is detected."""
    import codecs

    if value is None:
        return None
    text = str(value).strip()
    try:
        name = codecs.lookup(text).name if text else ""
        unknown_en = unknown_zh = ""
    except LookupError:  # no such encoding at all (klingon): said so first
        name, unknown_en, unknown_zh = "", f"unknown text encoding '{text}'; ", f"未知的文本编码“{text}”；"
    if name not in TEXT_ENCODINGS:
        raise option_error("--encoding", text or '""',
                           f"{unknown_en}coverplan reads text files in utf-8, gbk or gb18030 (or utf-16, Excel's "
                           "Unicode text): give one of them, or leave --encoding out to detect the encoding",
                           f"{unknown_zh}coverplan 读取的文本文件编码为 utf-8、gbk 或 gb18030（或 Excel“Unicode 文本”的 "
                           "utf-16），请给出其中之一，或不加 --encoding 自动识别")
    return text
