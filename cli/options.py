"""Options many commands share (--json, --region, --mode, --coords), each added with its help text in one
place, so the same option says the same thing in every command (cli.lang.h: in the run's language)."""
from __future__ import annotations

import argparse
import math

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


def add_mode(p: argparse.ArgumentParser) -> None:
    """--mode: how travel costs are computed (geo.travel): estimate, or on the --network road graph."""
    p.add_argument("--mode", default="estimate", choices=["estimate", "network"],
                   help=h("出行成本的计算方式：estimate 估算（直线距离×绕行系数，默认），"
                          "network 按路网（须给出 --network）",
                          "how travel costs are computed: estimate (straight line × detour factor, default) "
                          "or network (on the road network given by --network)"))


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


# The solvers' own checks (planner.models.base) name their fields (time_limit, gap), as the web's form and
# API call them; on the command line the option is named instead, and checked before any work.
def check_time_limit(value: float) -> None:
    """--time-limit: a finite number of seconds above 0 (the solvers' rule, planner.models.base.check_time_limit)."""
    from geo.errors import InputDataError

    if not (math.isfinite(value) and value > 0):
        raise InputDataError(f"--time-limit {value:g}: the time limit must be a finite number of seconds above 0; "
                             "give the seconds the solver may take (e.g. --time-limit 60).",
                             f"--time-limit {value:g} 无效：求解时限必须为大于 0 的有限秒数，请给出求解可用的秒数（如 --time-limit 60）。",
                             details={"parameter": "time-limit", "value": f"{value:g}"})


def check_gap(value: float) -> None:
    """--gap: a relative MIP gap from 0 up to, not including, 1 (the solvers' rule, LocationModel.solve)."""
    from geo.errors import InputDataError

    if not (0 <= value < 1):  # NaN fails both comparisons
        raise InputDataError(f"--gap {value:g}: give the relative gap to stop at, from 0 up to (not including) 1 "
                             "(e.g. --gap 0.01 for 1%).",
                             f"--gap {value:g} 无效：请给出停止求解的相对差距，须不小于 0 且小于 1（如 --gap 0.01 即 1%）。",
                             details={"parameter": "gap", "value": f"{value:g}"})
