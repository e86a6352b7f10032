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
import pandas as pd
import pyogrio

from geo import archives, settings
from geo.archives import file_error, reader_reason
from geo.errors import InputDataError

#: KML columns GDAL adds to every placemark; dropped when the file leaves them empty.
_KML_FIELDS = ("description", "timestamp", "begin", "end", "altitudeMode", "tessellate", "extrude",
               "visibility", "drawOrder", "icon")



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
                    kw, enc = ({"encoding": encoding}, encoding) if encoding else _shapefile_encoding(src)
                gdf = pyogrio.read_dataframe(src, layer=layer, **kw)
                if layer and len(layers) > 1:
                    notes.append((f"读取图层“{layer}”（共 {len(layers)} 个）", f"read layer '{layer}' of {len(layers)}"))
        except InputDataError:
            raise
        except Exception as exc:  # pyogrio raises several types for unreadable files
            en, zh = reader_reason(exc, label)
            raise file_error(label, f"cannot read as a GIS layer ({en}).", f"无法作为GIS图层读取（{zh}）。",
                             "Export it again from the GIS program.", "请从GIS软件中重新导出。") from exc
    if len(gdf) == 0:
        raise file_error(label, "the layer has no features.", "图层中没有要素。",
                         "Export the layer with its features.", "请导出包含要素的图层。")
    gdf, crs_used = _to_storage(gdf, crs, label, notes)
    if kind in ("kml", "kmz"):
        blank = ["", "-1", "0"]  # GDAL's defaults for tessellate, extrude, visibility
        gdf = gdf.drop(columns=[c for c in _KML_FIELDS
                                if c in gdf and (gdf[c].isna() | gdf[c].astype(object).astype(str).isin(blank)).all()])
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
    frame = frame.where(frame.notna(), "")
    return Layer(frame, gdf.geometry.reset_index(drop=True), crs_used, enc, layer, notes)


def _to_storage(gdf: gpd.GeoDataFrame, crs, label, notes) -> tuple[gpd.GeoDataFrame, str]:
    if crs:
        gdf = gdf.set_crs(crs, allow_override=True)
    elif gdf.crs is None:
        minx, miny, maxx, maxy = gdf.total_bounds
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise file_error(label, "the layer states no coordinate system and its coordinates are not degrees "
                                    f"(e.g. {minx:.0f}, {miny:.0f}).",
                             f"图层没有坐标系定义，且坐标不是经纬度（如 {minx:.0f}, {miny:.0f}）。",
                             "Include the .prj file in the zip, or choose the coordinate system (e.g. EPSG:4547).",
                             "请将 .prj 文件一并压缩，或指定坐标系（如 EPSG:4547）。")
        gdf = gdf.set_crs(settings.STORAGE_CRS)
        notes.append(("图层未定义坐标系，按WGS84/CGCS2000经纬度读取", "no CRS stated: read as WGS84/CGCS2000 lon/lat"))
    epsg = gdf.crs.to_epsg()
    used = f"EPSG:{epsg}" if epsg else gdf.crs.to_string()
    return gdf.to_crs(settings.STORAGE_CRS), used


def _pick_layer(src, layers: list[str]) -> str:
    """A GeoPackage's first point layer (else its first layer)."""
    for name, geom in pyogrio.list_layers(src):
        if "point" in str(geom).lower():
            return str(name)
    return layers[0]


def _shapefile_encoding(src: Path) -> tuple[dict, str | None]:
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

