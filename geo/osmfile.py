"""Read local OpenStreetMap files (``.osm`` XML or ``.osm.pbf``) for routing.

osmnx's :func:`osmnx.graph_from_xml` turns *every* way of an XML file into
graph edges (rivers, building outlines, footpaths included) and cannot read
PBF. This module therefore passes every local file through ``osmium`` once and
writes a small OSM XML file holding only the ways a car can use and the nodes
they reference. XML and PBF inputs go through the same code path, so both give
the same graph.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from geo.archives import check_file, reader_message
from geo.errors import InputDataError, NetworkError

#: ``highway=*`` values that are not roads for motor vehicles.
NON_DRIVABLE_HIGHWAYS = frozenset({
    "footway", "path", "pedestrian", "steps", "cycleway", "bridleway", "corridor",
    "elevator", "escalator", "proposed", "construction", "abandoned", "disused",
    "platform", "raceway", "bus_guideway", "busway", "via_ferrata", "rest_area",
    "services", "no",
})

#: Access values that close a way to the public's cars.
CLOSED_ACCESS = frozenset({"no", "private"})

#: File suffixes accepted as OSM input.
OSM_SUFFIXES = (".osm", ".osm.pbf", ".pbf", ".osm.bz2", ".osm.gz", ".xml")


def is_osm_file(path: str | Path) -> bool:
    """Whether ``path`` looks like an OpenStreetMap file (by its name)."""
    name = Path(path).name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


def file_digest(path: str | Path, *, chunk: int = 1 << 20) -> str:
    """SHA-256 hex digest of a file's content (streamed, any size)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def is_drivable(tags) -> bool:
    """Whether an OSM way with these tags is a road open to cars.

    Parameters
    ----------
    tags : mapping-like
        The way's tags (``osmium`` TagList or a dict).
    """
    highway = tags.get("highway")
    if not highway or highway in NON_DRIVABLE_HIGHWAYS:
        return False
    if tags.get("area") == "yes":
        return False
    if tags.get("access") in CLOSED_ACCESS:
        return False
    for key in ("motor_vehicle", "motorcar", "vehicle"):
        if tags.get(key) in CLOSED_ACCESS:
            return False
    return True


def extract_roads(src: str | Path, dst: str | Path, *, drive_only: bool = True) -> dict:
    """Write the road ways of ``src`` and their nodes to OSM XML file ``dst``.

    Parameters
    ----------
    src : path
        ``.osm`` (XML, optionally ``.bz2``/``.gz``) or ``.osm.pbf`` file.
    dst : path
        Output ``.osm`` XML file (overwritten).
    drive_only : bool, default True
        Keep only ways open to cars (see :func:`is_drivable`); with False,
        keep every way with a ``highway`` tag.

    Returns
    -------
    dict
        ``{"ways": int, "nodes": int}`` written.

    Raises
    ------
    InputDataError
        The file does not exist or cannot be read as OSM data.
    NetworkError
        The file holds no road at all.
    """
    import osmium

    src, dst = Path(src), Path(dst)
    if src.is_dir():
        check_file(src)  # a folder: said as such, not "not found"
    if not src.is_file():
        raise InputDataError(
            f"OSM file not found: {src}.", f"找不到OSM文件：{src}。",
            hint_en="Check the path; coverplan reads .osm and .osm.pbf files.",
            hint_zh="请检查路径；支持 .osm 与 .osm.pbf 文件。", details={"path": str(src)})
    keep = is_drivable if drive_only else (lambda tags: "highway" in tags)

    tracker = osmium.IdTracker()
    n_ways = 0
    try:
        # pass 1: which ways are roads, and which nodes do they need
        for way in osmium.FileProcessor(str(src), osmium.osm.WAY):
            if len(way.nodes) >= 2 and keep(way.tags):
                tracker.add_way(way.id)
                tracker.add_references(way)
                n_ways += 1
        if n_ways == 0:
            raise NetworkError(
                f"No drivable road in {src.name}.", f"{src.name} 中没有可通行车辆的道路。",
                hint_en="Use an OpenStreetMap extract that covers the area's roads.",
                hint_zh="请使用包含该地区道路的OpenStreetMap数据。",
                details={"path": str(src)})
        # pass 2: copy those ways and nodes (nothing else) to XML
        dst.unlink(missing_ok=True)
        n_nodes = 0
        node_ids, way_ids = tracker.node_ids(), tracker.way_ids()
        with osmium.SimpleWriter(str(dst)) as writer:
            for obj in osmium.FileProcessor(str(src), osmium.osm.NODE | osmium.osm.WAY):
                if obj.is_node():
                    if obj.id in node_ids:
                        writer.add_node(obj)
                        n_nodes += 1
                elif obj.id in way_ids:
                    writer.add_way(obj)
    except osmium.InvalidLocationError as exc:  # a node at lat="nan" or "inf": a traceback before (QA 26)
        shown = str(exc).rpartition(":")[2].strip() or "?"
        raise InputDataError(
            f"Cannot read {src.name}: a node's coordinate is not a number ({shown}); every node needs a finite "
            "latitude and longitude.",
            f"无法读取OSM文件 {src.name}：有节点的坐标不是数值（{shown}），每个节点都须有有限的经纬度。",
            hint_en="Correct or delete that node in your OSM editor (e.g. JOSM's validator finds it) and export "
                    "the file again.",
            hint_zh="请在OSM编辑软件中修正或删除该节点（如 JOSM 的校验功能可找到它），再重新导出文件。",
            details={"file": src.name, "value": shown}) from exc
    except RuntimeError as exc:  # osmium's parse errors
        # (the reader's own words end without a full stop: one is added before the hint)
        why = reader_message(exc, src.name).rstrip(". ")
        raise InputDataError(
            f"Cannot read {src.name} as OpenStreetMap data: {why}.",
            f"无法读取OSM文件 {src.name}：{osm_problem_zh(why, blank=_blank(src))}。",
            hint_en=OSM_EXPORT_HINT_EN, hint_zh=f"{OSM_EXPORT_HINT_ZH}{technical_zh(why)}",
            details={"file": src.name, "reader": why}) from exc
    return {"ways": n_ways, "nodes": n_nodes}


#: How to get a file osmium reads, after a refusal of one it could not (QA 33).
OSM_EXPORT_HINT_EN = ("Export the area again as an OSM XML file (.osm): on openstreetmap.org with Export, or in JOSM "
                      "with File > Save As; or use an .osm.pbf extract (e.g. from Geofabrik).")
OSM_EXPORT_HINT_ZH = ("请重新导出该地区的 OSM XML 文件（.osm）：在 openstreetmap.org 上点“导出”，或在 JOSM 中用“文件 → "
                      "另存为”；也可使用 .osm.pbf 格式的地区数据（如 Geofabrik 提供的下载）。")


def technical_zh(why: str) -> str:
    """A reader's own English words, as the Chinese message's last, marked, part: a planner reads what is wrong
    in Chinese before it, a developer or the program's maintainers can still see the reader's words."""
    return f"技术细节（英文）：{why}。" if why else ""


def _blank(src: Path) -> bool:
    """Whether ``src`` holds nothing but white space (expat's "no element found" at its end, as of a cut file)."""
    try:
        with open(src, "rb") as fh:
            head = fh.read(1 << 16)
        return not head.strip() and src.stat().st_size <= len(head)
    except OSError:
        return False


def osm_problem_zh(why: str, *, blank: bool = False) -> str:
    """What osmium's complaint ``why`` (its English words, the file's paths already replaced by its name) says
    is wrong with an OSM file, in Chinese (``blank``: the file holds only white space): the Chinese message said
    osmium's English sentence inside it (QA 33)."""
    import re

    if m := re.match(r"XML parsing error at line (\d+), column (\d+): (.*)", why, re.S):
        line, col, what = int(m[1]), int(m[2]), m[3]  # (expat's columns count from 0: the line is said)
        if "no element found" in what:
            if blank or (line == 1 and col == 0):
                return "文件是空的（没有任何 XML 内容），不是 OSM XML 文件"
            return f"文件在第 {line} 行提前结束，内容不完整（可能下载或复制时被截断）"
        if line == 1 and col == 0:
            return "文件开头就不是 XML，它不是 OSM XML 文件（可能是其他格式的文件改了扩展名）"
        return f"文件第 {line} 行不是有效的 XML，它不是可读取的 OSM XML 文件"
    if "without version" in why:
        return ("文件的根元素 <osm> 缺少 version 属性（OSM XML 文件应以 <osm version=\"0.6\" …> 开头），"
                "它不是标准的 OSM XML 文件")
    if m := re.match(r"Can not read file with version (\S{1,20})", why):
        return f"文件的 OSM 格式版本为 {m[1]}，只能读取 0.6 版的 OSM XML 文件"
    if m := re.match(r"Unknown top-level element: (\S{1,40})", why):
        return f"文件的根元素是 <{m[1]}>，而 OSM XML 文件的根元素应为 <osm>，它不是 OSM 数据"
    if "PBF error" in why:
        return "文件不是有效的 .osm.pbf 数据（可能已损坏、不完整或并非 PBF 格式）"
    return "文件不是可读取的 OSM 数据（.osm XML 或 .osm.pbf 格式）"
