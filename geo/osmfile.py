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
        raise InputDataError(
            # (the reader's own words end without a full stop: one is added before the hint)
            f"Cannot read {src.name} as OpenStreetMap data: {reader_message(exc, src.name).rstrip('. ')}.",
            f"无法读取OSM文件 {src.name}（读取程序报告：{reader_message(exc, src.name).rstrip('. ')}）。",
            hint_en="Is it a complete .osm (XML) or .osm.pbf file?",
            hint_zh="请确认文件是完整的 .osm（XML）或 .osm.pbf 文件。",
            details={"file": src.name}) from exc
    return {"ways": n_ways, "nodes": n_nodes}
