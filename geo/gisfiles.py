"""GIS layers planners bring: GeoJSON, zipped Shapefile, GeoPackage, KML/KMZ (read by pyogrio/GDAL).

A zipped Shapefile's .cpg (encoding) and .prj (CRS) are honoured; a Shapefile
without a .cpg whose text is Chinese is decoded as UTF-8 or GB18030 rather than
left as mojibake. Zips are checked (geo.archives) and only the members used are
copied out, under names chosen here. Geometries come back in WGS84.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geo import archives, settings
from geo.archives import file_error, reader_hint, reader_reason
from geo.errors import InputDataError

#: KML columns GDAL adds to every placemark; dropped when the file leaves them empty.
_KML_FIELDS = ("description", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude",
               "visibility", "drawOrder", "icon")

#: (zh, en) note of a layer read as WGS84 lon/lat because it stated no CRS (see to_storage).
ASSUMED_CRS_NOTE = ("图层未定义坐标系（如缺少 .prj 文件），因坐标值在经纬度范围内，已按WGS84/CGCS2000经纬度读取",
                    "the layer states no coordinate system (e.g. no .prj file); its values are in degree range, "
                    "so it was read as WGS84/CGCS2000 lon/lat")


@dataclass
class Layer:
    """A layer as read: attributes (``frame``, "" where empty), WGS84 ``geometry`` aligned with it,
    the CRS and encoding found, the layer name used and notes worth telling (zh, en)."""

    frame: pd.DataFrame
    geometry: gpd.GeoSeries
    crs: str
    encoding: str | None
    layer: str | None = None
    notes: list = field(default_factory=list)

    @property
    def crs_assumed(self) -> bool:
        """The file stated no CRS and WGS84 lon/lat was assumed from its degree-range values."""
        return ASSUMED_CRS_NOTE in self.notes


def read_layer(path: Path, kind: str, *, encoding=None, crs=None) -> Layer:
    """Read ``path`` (``kind``: geojson, shapefile, gpkg, kml, kmz); raise InputDataError if unusable."""
    label = path.name
    with tempfile.TemporaryDirectory(prefix="coverplan-") as tmp:
        notes: list[tuple[str, str]] = []
        kw: dict = {}
        enc = "UTF-8" if kind in ("kml", "kmz", "geojson") else None
        if kind == "shapefile" and path.suffix.lower() == ".zip":
            src = _unzip_shapefile(path, Path(tmp))
        elif kind == "kmz":
            src = _unzip_kml(path, Path(tmp))
        else:
            src = path
        try:
            layers = [str(name) for name, _ in pyogrio.list_layers(src)]
            if kind in ("kml", "kmz"):  # each KML folder is a layer: a field export's points are all of them
                parts = [pyogrio.read_dataframe(src, layer=n) for n in layers]
                gdf = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) \
                    else parts[0]
                gdf = gpd.GeoDataFrame(gdf, geometry="geometry", crs=parts[0].crs)
                layer = None
            else:
                layer = _pick_layer(src, layers) if kind == "gpkg" else None
                if kind == "shapefile":
                    kw, enc = ({"encoding": encoding}, encoding) if encoding else shapefile_encoding(src)
                gdf = pyogrio.read_dataframe(src, layer=layer, **kw)
                if layer and len(layers) > 1:
                    notes.append((f"读取图层“{layer}”（共 {len(layers)} 个）", f"read layer '{layer}' of {len(layers)}"))
        except InputDataError:
            raise
        except Exception as exc:  # pyogrio raises several types for unreadable files
            en, zh = reader_reason(exc, label)
            fix_en, fix_zh = reader_hint(exc) or ("Export it again from the GIS program.", "请从GIS软件中重新导出。")
            raise file_error(label, f"cannot read as a GIS layer ({en}).", f"无法作为GIS图层读取（{zh}）。",
                             fix_en, fix_zh) from exc
    if len(gdf) == 0:
        raise file_error(label, "the layer has no features.", "图层中没有要素。",
                         "Export the layer with its features.", "请导出包含要素的图层。")
    if kind == "geojson" and not crs:  # (GDAL takes an unknown one for WGS84: gdf.crs says nothing)
        check_named_crs(path, label)
    if kind == "geojson" and (gdf.geometry.isna() | gdf.geometry.is_empty).any():
        check_text_coordinates(path, label)
    gdf, crs_used = to_storage(gdf, crs, label, notes, kind)
    if kind in ("kml", "kmz"):
        blank = ["", "-1", "0"]  # GDAL's defaults for tessellate, extrude, visibility
        gdf = gdf.drop(columns=[c for c in _KML_FIELDS
                                if c in gdf and (gdf[c].isna() | gdf[c].astype(object).astype(str).isin(blank)).all()])
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
    frame = frame.where(frame.notna(), "")
    return Layer(frame, gdf.geometry.reset_index(drop=True), crs_used, enc, layer, notes)


def _json_doc(path: Path):
    """A GeoJSON file as plain JSON, for the checks GDAL does not make; None when it is not plain JSON
    (GDAL also reads NaN and the like: nothing to check here then)."""
    import json

    try:
        with open(path, encoding="utf-8-sig") as fh:
            return json.load(fh)
    except (ValueError, OSError):
        return None


def check_text_coordinates(path: Path, label: str) -> None:
    """Features whose coordinates are written as text (``["110.74", "32.05"]``) have no geometry to GDAL,
    and their rows were refused as having "no coordinates" although the numbers are there (QA 19): the
    file is refused naming those features and what to write instead."""
    doc = _json_doc(path)
    feats = doc.get("features") if isinstance(doc, dict) and doc.get("type") == "FeatureCollection" else [doc]
    if not isinstance(feats, list):
        return

    def texts(c):
        if isinstance(c, str):
            yield c
        elif isinstance(c, list):
            for x in c:
                yield from texts(x)

    found = []
    for n, f in enumerate(feats, start=1):
        geom = f.get("geometry") if isinstance(f, dict) else None
        first = next(texts(geom.get("coordinates")), None) if isinstance(geom, dict) else None
        if first is not None:
            found.append((n, first))
    if not found:
        return
    from geo.errors import listed
    nums = [n for n, _ in found]
    eg = found[0][1][:40]
    which = (f"features {listed(nums[:10], 'en', total=len(nums))} give their" if len(nums) > 1
             else f"feature {nums[0]} gives its")
    raise file_error(label, f"{which} coordinates as text (e.g. \"{eg}\" in quotes), so they have no geometry.",
                     f"第 {listed(nums[:10], 'zh', total=len(nums))} 个要素的坐标写成了文本（如带引号的“{eg}”），无法读成几何。",
                     "Write coordinates as numbers, without quotes ([110.74, 32.05]); a GIS program's GeoJSON "
                     "export does this.",
                     "请将坐标写成不带引号的数字（如 [110.74, 32.05]）；用GIS软件导出GeoJSON即可。",
                     features=nums[:50])


def check_named_crs(path: Path, label: str) -> None:
    """A GeoJSON whose ``crs`` member names a system GDAL does not know (``EPSG:99999``) was read as
    lon/lat without a word (QA 19): refused, naming it, as the form's CRS field refuses one. Only a
    ``{"type": "name"}`` crs is checked (a GeoJSON 2008 "EPSG"/"link" crs names none)."""
    doc = _json_doc(path)
    crs = doc.get("crs") if isinstance(doc, dict) else None
    if not (isinstance(crs, dict) and crs.get("type") == "name" and isinstance(crs.get("properties"), dict)):
        return
    named = crs["properties"].get("name")
    if not isinstance(named, str) or not named.strip():
        return
    named = named[:200]
    try:
        from pyproj import CRS
        CRS.from_user_input(named)
        return
    except Exception:  # pyproj's CRSError and the like: not a system it knows
        pass
    raise file_error(label, f"its crs member names \"{named}\", which is not a coordinate system this "
                     "software knows.", f"文件的 crs 成员指定的“{named}”不是本系统认识的坐标系。",
                     "Give the coordinate system in the Projected CRS field on the Data page, or with --crs on "
                     "the command line (e.g. EPSG:4546); or export the file again in WGS84 longitude/latitude.",
                     "请在“数据管理”页面的“投影坐标系”一栏填写坐标系，或在命令行使用 --crs（如 EPSG:4546）；"
                     "或将文件重新导出为 WGS84 经纬度。",
                     crs=named)


def to_storage(gdf: gpd.GeoDataFrame, crs, label, notes, kind: str = "") -> tuple[gpd.GeoDataFrame, str]:
    """``gdf`` in the storage CRS, and the CRS it was read in (``"EPSG:3857"``).

    ``crs`` (the planner's choice) overrides the file's. Coordinates in metres under a
    lon/lat (or no) CRS are refused with the fix (:func:`file_error`, naming ``label``);
    a layer with no CRS in degree range is read as WGS84 and ``notes`` gets
    ``ASSUMED_CRS_NOTE`` so the report says so. ``kind`` ("geojson") words the message.
    """
    if crs:
        gdf = gdf.set_crs(crs, allow_override=True)
    # a lon/lat CRS given for metres (--crs EPSG:4326) is checked as the file's own would be: it was taken
    # as said, and every point fell outside the region with nothing naming the CRS (QA 24)
    if gdf.crs is None or gdf.crs.is_geographic:
        # GDAL reads a GeoJSON without a "crs" member as lon/lat whatever its numbers are: metres
        # (web-map EPSG:3857, CGCS2000 Gauss-Kruger) read as degrees would crash the datum
        # conversions and land nowhere. Most features beyond degree range: the CRS is missing.
        x, y = _feature_xy(gdf)
        # a point in degree range once its two numbers are swapped ([lat, lon], a common hand-written
        # GeoJSON slip) is not metres: it goes on to the register's swap check, which says so per row
        swapped = (np.abs(x) <= 90) & (np.abs(y) <= 180)
        finite = np.isfinite(x) & np.isfinite(y)  # NaN or Infinity is no projected coordinate (QA 19): per row
        far = finite & ((np.abs(x) > 180) | (np.abs(y) > 90)) & ~swapped
        if far.any() and far.sum() * 2 >= finite.sum():
            from geo.points import plain_number
            at = int(np.flatnonzero(far)[0])
            eg = f"{plain_number(x[at])}, {plain_number(y[at])}"
            stated = (f"the coordinate system given ({crs}) is lon/lat" if crs else
                      "it states no coordinate system" if gdf.crs is None else
                      "it states no coordinate system for them (a GeoJSON without a \"crs\" member is read as "
                      "lon/lat)" if kind == "geojson" else f"its coordinate system ({gdf.crs.to_string()}) is lon/lat")
            stated_zh = (f"所给坐标系（{crs}）却是经纬度" if crs else "图层没有坐标系定义" if gdf.crs is None else
                         "文件没有给出坐标系（GeoJSON 没有 crs 成员时按经纬度读取）" if kind == "geojson"
                         else f"其坐标系（{gdf.crs.to_string()}）却是经纬度")
            raise file_error(label, f"the coordinates look projected (metres, e.g. {eg}), not degrees, but {stated}.",
                             f"坐标像是投影坐标（米，如 {eg}），不是经纬度，但{stated_zh}。",
                             "Give the file's coordinate system in the Projected CRS field on the Data page, or "
                             "with --crs on the command line, e.g. EPSG:3857 for web-map metres or EPSG:4546 for CGCS2000 3-degree Gauss-Kruger CM 111E; or add "
                             "the crs member (GeoJSON) or the .prj file (Shapefile) and upload again.",
                             "请在“数据管理”页面的“投影坐标系”一栏、或在命令行用 --crs 给出文件的坐标系（如网络地图米制坐标为 EPSG:3857，"
                             "CGCS2000 3度带中央经线111°E为 EPSG:4546）；或在文件中补上坐标系定义"
                             "（GeoJSON 的 crs 成员、Shapefile 的 .prj 文件）后重新上传。",
                             example=[float(x[at]), float(y[at])])
        if gdf.crs is None:
            gdf = gdf.set_crs(settings.STORAGE_CRS)
            # said, not silently defaulted: the register check turns this into a warning
            notes.append(ASSUMED_CRS_NOTE)
    epsg = gdf.crs.to_epsg()
    used = f"EPSG:{epsg}" if epsg else gdf.crs.to_string()
    return gdf.to_crs(settings.STORAGE_CRS), used


def _feature_xy(gdf: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray]:
    """One coordinate of each feature (the corner of its bounds farthest from 0; NaN if empty)."""
    b = gdf.geometry.bounds.to_numpy(float)
    if not len(b):
        return np.array([]), np.array([])
    x = np.where(np.abs(b[:, 0]) >= np.abs(b[:, 2]), b[:, 0], b[:, 2])
    y = np.where(np.abs(b[:, 1]) >= np.abs(b[:, 3]), b[:, 1], b[:, 3])
    return x, y


def _pick_layer(src, layers: list[str]) -> str:
    """A GeoPackage's first point layer (else its first layer)."""
    for name, geom in pyogrio.list_layers(src):
        if "point" in str(geom).lower():
            return str(name)
    return layers[0]


def shapefile_encoding(src: Path) -> tuple[dict, str | None]:
    """(read options, encoding to report) for a Shapefile.

    GDAL honours a .cpg (and the .dbf's language byte) itself. Without either it
    reads the .dbf as ISO-8859-1, which turns Chinese into mojibake; the same
    bytes decoded as UTF-8 or GB18030 (the usual Chinese encodings) are right.
    """
    cpg = Path(src).with_suffix(".cpg")
    if cpg.is_file():
        return {}, cpg.read_text("ascii", errors="replace").strip() or None
    info = pyogrio.read_info(src)
    if str(info.get("encoding", "")).upper() not in ("ISO-8859-1", "LATIN1"):
        return {}, info.get("encoding")
    sample = pyogrio.read_dataframe(src, read_geometry=False, max_features=200)
    text = "".join(map(str, sample.columns)) + "".join(
        str(v) for c in sample.columns if sample[c].dtype == object for v in sample[c] if v is not None)
    try:
        raw = text.encode("latin-1")
    except UnicodeEncodeError:
        return {}, info.get("encoding")
    for enc in ("utf-8", "gb18030") if not raw.isascii() else ():
        try:
            raw.decode(enc)
            return {"encoding": enc.upper()}, enc.upper()
        except UnicodeDecodeError:
            continue
    return {}, info.get("encoding")


def _unzip_shapefile(path: Path, tmp: Path) -> Path:
    with archives.open_checked(path) as zf:
        shps = archives.members(zf, ".shp")
        if not shps:
            found = [n for n in zf.namelist() if not n.endswith("/")][:10]
            raise file_error(path.name, f"the zip holds no Shapefile (.shp); it has: {', '.join(found) or 'nothing'}.",
                             f"压缩包中没有Shapefile（.shp）文件；其中有：{'、'.join(found) or '无'}。",
                             "Zip the .shp together with its .shx, .dbf, .prj and .cpg files.",
                             "请将 .shp 与同名的 .shx、.dbf、.prj、.cpg 文件一起压缩。", members=found)
        if len(shps) > 1:
            raise file_error(path.name,
                             f"the zip holds {len(shps)} Shapefiles ({', '.join(shps[:5])}); one is expected.",
                             f"压缩包中有 {len(shps)} 个Shapefile（{'、'.join(shps[:5])}），只能有一个。",
                             "Zip one layer per file.", "请每个压缩包只放一个图层。", members=shps)
        stem = shps[0][:-4]
        names = {n.lower(): n for n in zf.namelist()}
        for ext in (".shx", ".dbf"):
            if (stem + ext).lower() not in names:
                raise file_error(path.name, f"{PurePosixPath(shps[0]).name} comes without its {ext} file.",
                                 f"{PurePosixPath(shps[0]).name} 缺少同名的 {ext} 文件。",
                                 "Zip every file of the layer (.shp, .shx, .dbf, .prj, .cpg).",
                                 "请压缩该图层的全部文件（.shp、.shx、.dbf、.prj、.cpg）。")
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            if (stem + ext).lower() in names:
                archives.copy_member(zf, names[(stem + ext).lower()], tmp / f"layer{ext}")
    return tmp / "layer.shp"


def _unzip_kml(path: Path, tmp: Path) -> Path:
    with archives.open_checked(path) as zf:
        kmls = archives.members(zf, ".kml")
        if not kmls:
            raise file_error(path.name, "the KMZ holds no .kml document.", "KMZ 文件中没有 .kml 文档。",
                             "Export the points again as KML or KMZ.", "请重新导出为 KML 或 KMZ。")
        doc = next((k for k in kmls if PurePosixPath(k).name.lower() == "doc.kml"), kmls[0])
        return archives.copy_member(zf, doc, tmp / "doc.kml")

