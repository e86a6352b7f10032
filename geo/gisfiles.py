"""GIS layers planners bring: GeoJSON, zipped Shapefile, GeoPackage, KML/KMZ (read by pyogrio/GDAL).

A zipped Shapefile's .cpg (encoding) and .prj (CRS) are honoured; a Shapefile
without a .cpg whose text is Chinese is decoded as UTF-8 or GB18030 rather than
left as mojibake. Zips are checked (geo.archives) and only the members used are
copied out, under names chosen here. Geometries come back in WGS84.
"""
from __future__ import annotations

import glob
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from geo import archives, settings
from geo.archives import file_error, reader_hint, reader_reason
from geo.errors import InputDataError
from geo.points import plain_number

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


def read_layer(path: Path, kind: str, *, encoding=None, crs=None, known=()) -> Layer:
    """Read ``path`` (``kind``: geojson, shapefile, gpkg, kml, kmz); raise InputDataError if unusable.
    ``known``: the caller's column names (normalised), which a Shapefile field name cut short is read as
    when it can be only one of them (:func:`read_shapefile`)."""
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
        if kind == "shapefile" and path.suffix.lower() == ".shp":  # a bare .shp: its .shx and .dbf beside it?
            beside = {p.name.lower() for p in path.parent.glob(glob.escape(path.stem) + ".*")
                      if p.stem == path.stem}
            check_shapefile_parts(label, label, beside, path.stem, zipped=False)
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
                    # UTF-8 text read in the encoding chosen or its .cpg's: said, not read as mojibake (QA 35)
                    wrong = shapefile_misread(src, label, encoding or cpg_encoding(src), chosen=bool(encoding))
                    if wrong is not None:
                        raise wrong
                    # a UTF-8 field name the .dbf's 10 bytes cut mid-character failed the whole read (QA 25)
                    gdf = read_shapefile(src, notes, source_encoding=enc, known=known, **kw)
                else:
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
        gdf = gdf.drop(columns=kml_generated_columns(gdf, [*layers, path.stem]))
    frame = pd.DataFrame(gdf.drop(columns=gdf.geometry.name)).astype(object)
    frame = frame.where(frame.notna(), "")
    return Layer(frame, gdf.geometry.reset_index(drop=True), crs_used, enc, layer, notes)


#: Columns GDAL makes of a placemark's own parts: its ``id`` attribute (LIBKML), its ``<name>`` and
#: ``<description>`` (both drivers, in either case).
_KML_OWN = ("id", "name", "description")


def kml_generated_columns(gdf: pd.DataFrame, layers) -> list:
    """The columns of a KML layer that GDAL made and that hold nothing of the file's own: a ``Name`` or
    ``Description`` column that is blank in every placemark, and an ``id`` column whose every cell is blank or
    an automatic placemark id, ``<layer>.<n>`` (``fly_named.1``, as GDAL and QGIS write a placemark's id; ``layers``:
    the file's layer and folder names, and the file's own name); and a ``Name`` or ``Description`` that is a
    copy of one of the file's own columns in every placemark (GDAL writes the field chosen as the label into
    ``<name>``). Such an ``id`` was read as the facilities' ids instead of the file's 编号 column (so they
    changed with the file's name), an empty ``Name`` beat the file's 机构名称, refusing every row as "no name
    given", and a copy of 机构名称 was read instead of it, with a warning to delete a column the file does not
    show (QA 32). A real ``<name>`` (one that is no copy) is kept."""
    import re

    names = [str(n) for n in layers if str(n)]
    auto = re.compile("(?:" + "|".join(re.escape(n) for n in names) + r")\.[0-9]+") if names else None
    geom = getattr(getattr(gdf, "geometry", None), "name", None)

    def text(c) -> pd.Series:
        return gdf[c].astype(object).where(gdf[c].notna(), "").map(str).str.strip()
    own = [c for c in gdf.columns if c != geom and str(c).lower() not in _KML_OWN]
    out = []
    for c in gdf.columns:
        if str(c).lower() not in _KML_OWN or c == geom:
            continue
        cells = text(c)
        filled = cells[cells != ""]
        if not len(filled):
            out.append(c)
        elif str(c).lower() == "id":
            if auto is not None and filled.map(lambda v: bool(auto.fullmatch(v))).all():
                out.append(c)
        elif any(text(o).equals(cells) for o in own):
            out.append(c)
    return out


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


def first_not_finite(geom) -> tuple[int, float, float] | None:
    """The first vertex of ``geom`` with a coordinate that is no finite number (NaN, Infinity): (its number
    from 1, x, y); None when there is none (or no geometry). Such a vertex crashed GEOS's operations
    (make_valid: "orientationIndex encountered NaN/Inf numbers", QA 26)."""
    if geom is None:
        return None
    xy = shapely.get_coordinates(geom)
    bad = np.flatnonzero(~np.isfinite(xy).all(axis=1))
    if not len(bad):
        return None
    k = int(bad[0])
    return k + 1, float(xy[k, 0]), float(xy[k, 1])


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
            at = int(np.flatnonzero(far)[0])
            eg = f"{plain_number(x[at])}, {plain_number(y[at])}"  # 1e+300, not its 301 digits (QA 26)
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


#: The most bytes a .dbf field name holds (dBase): a longer name is cut, a UTF-8 one (3 bytes a Chinese
#: character) sometimes in the middle of a character.
DBF_NAME_BYTES = 10
#: How a .cpg names some encodings (code page numbers, as ArcGIS writes them), as Python names them.
CPG_CODE_PAGES = {"936": "gbk", "65001": "utf-8", "54936": "gb18030", "950": "big5"}


def codec_name(encoding: str | None, default: str = "utf-8") -> str:
    """A .cpg's or the planner's encoding as Python decodes it ("936" is GBK); ``default`` when it names none."""
    import codecs

    text = str(encoding or "").strip()
    text = CPG_CODE_PAGES.get(text, text)
    try:
        return codecs.lookup(text).name if text else default
    except (LookupError, ValueError):
        return default


def decode_cut(raw: bytes, encoding: str) -> tuple[str, bytes]:
    """``raw`` decoded as ``encoding``; a multi-byte character cut off at its end (a .dbf field name cut at
    10 bytes) left out: (text, the bytes left out, b"" when none were). Bytes that decode in no way are
    replaced (U+FFFD)."""
    try:
        return raw.decode(encoding), b""
    except UnicodeDecodeError:
        pass
    for k in (1, 2, 3):  # the start of a character of up to 4 bytes, its end cut off
        if len(raw) > k:
            try:
                return raw[:-k].decode(encoding), raw[-k:]
            except UnicodeDecodeError:
                continue
    return raw.decode(encoding, errors="replace"), b""


def completed_name(text: str, dropped: bytes, encoding: str, known) -> str | None:
    """The one name of ``known`` (normalised headers, :func:`geo.tables.norm_header`) a field name cut to
    ``text`` can have been: it starts with ``text`` and its next character starts with the ``dropped`` bytes
    (设施类 + e5 is 设施类型); None when none or several can."""
    from geo.tables import norm_header  # geo.tables imports this module

    key = norm_header(text)
    if not key or not dropped:
        return None
    fits = {h for h in known if len(h) > len(key) and h.startswith(key)
            and h[len(key)].encode(encoding, errors="ignore").startswith(dropped)}
    return fits.pop() if len(fits) == 1 else None


def read_shapefile(src, notes: list | None = None, *, source_encoding: str | None = None, known=(),
                   **kw) -> gpd.GeoDataFrame:
    """``pyogrio.read_dataframe(src, **kw)`` of a Shapefile; one whose text does not decode is read again.

    A .dbf field name holds 10 bytes: GDAL (and other programs) cut a longer UTF-8 name there, often in
    the middle of a Chinese character (设施类型 is 12 bytes), and the read failed on that name with
    "'utf-8' codec can't decode byte 0xe5 ... unexpected end of data" (QA 25). The layer is then read
    with its text as raw bytes (GDAL's own option: no recoding, ``encoding="latin1"``) and decoded here
    as ``encoding`` (else ``source_encoding``, the .cpg's, else UTF-8) with the cut character left out.
    A cut name that can be only one of ``known`` (the caller's column names, normalised as
    :func:`geo.tables.norm_header` does) is read as that name (设施类 as 设施类型). ``notes`` gets (zh, en)
    naming the fields cut, how they were read and what to do; ``attrs["cut_names"]`` the names read.
    """
    try:
        return pyogrio.read_dataframe(src, **kw)
    except UnicodeDecodeError:
        pass
    enc = codec_name(kw.pop("encoding", None) or source_encoding)
    gdf = pyogrio.read_dataframe(src, **kw, encoding="latin1")
    geom = gdf.geometry.name if isinstance(gdf, gpd.GeoDataFrame) else None
    raw_names = [c.encode("latin1", errors="replace") if c != geom and isinstance(c, str) else None
                 for c in gdf.columns]
    decoded_names = [decode_cut(r, enc) if r is not None else (c, b"") for c, r in zip(gdf.columns, raw_names)]
    whole = {t for t, dropped in decoded_names if not dropped}
    names, cut, garbled = [], [], False  # cut: (as left, as read)
    for (text, dropped) in decoded_names:
        garbled |= "\ufffd" in str(text)
        left = text
        if dropped:
            full = completed_name(text, dropped, enc, known)
            if full and full not in whole and full not in names:
                text = full
        base, n = text, 2
        while text in names:  # two names cut to the same characters stay two columns
            text, n = f"{base}_{n}", n + 1
        names.append(text)
        if dropped:
            cut.append((left, text))

    def decoded(v):
        nonlocal garbled
        if not isinstance(v, str):
            return v
        text = decode_cut(v.encode("latin1", errors="replace"), enc)[0]
        garbled |= "\ufffd" in text
        return text

    for c in gdf.columns:
        if c != geom and (gdf[c].dtype == object or pd.api.types.is_string_dtype(gdf[c].dtype)):
            gdf[c] = gdf[c].astype(object).map(decoded)
    gdf.columns = names
    if geom is not None:
        gdf = gpd.GeoDataFrame(gdf, geometry=geom, crs=gdf.crs)
    gdf.attrs["cut_names"] = [read for _, read in cut]  # (a code column is found by them: geo.imports)
    if notes is not None and cut:
        notes.append(cut_note(cut))
    if notes is not None and garbled:
        label = enc.upper()
        notes.append((f"部分文字无法按 {label} 编码解码，无法识别的字节已显示为 �；如文字有误，请在“数据管理”页面的"
                      "“文字编码”一栏（或命令行的 --encoding）指定正确的编码，或在压缩包中加入注明编码的 .cpg 文件",
                      f"some text does not decode as {label}; the bytes that do not are shown as �. If the text is "
                      "wrong, give its encoding in the Text encoding field on the Data page (or with --encoding), "
                      "or add a .cpg file naming it to the zip"))
    return gdf


def cut_note(cut: list[tuple[str, str]]) -> tuple[str, str]:
    """(zh, en) saying which field names the Shapefile limit cut (``cut``: each as left and as read) and
    what to do."""
    from geo.errors import listed

    left_zh, left_en = listed([f"“{a}”" for a, _ in cut], "zh"), listed([f"'{a}'" for a, _ in cut], "en")
    read_zh = listed([f"“{a}”" + (f"按已知列名“{b}”读取" if b != a else "按原样读取") for a, b in cut], "zh")
    read_en = listed([f"'{a}'" + (f" as the known column name '{b}'" if b != a else " as it is") for a, b in cut],
                     "en")
    one = len(cut) == 1
    lost = any(a == b for a, b in cut)  # a name not read as a known one: the rest of it is not in the file
    return (
        f"字段名{left_zh}被 Shapefile 的字段名长度限制（最多 {DBF_NAME_BYTES} 个字节，UTF-8 编码下一个汉字占 3 个字节）截断"
        f"在半个字处{'，原名的其余部分已丢失' if lost else ''}；已去掉残缺的字节，{read_zh}。如需完整的列名，请在GIS软件中"
        "改用较短的字段名（不超过 3 个汉字），或将图层导出为 GeoPackage 或 GeoJSON",
        f"the field name{'' if one else 's'} {left_en} {'was' if one else 'were'} cut off in the middle of a "
        f"character by the Shapefile limit of {DBF_NAME_BYTES} bytes per field name (a Chinese character takes "
        f"3 bytes in UTF-8){', and the rest of the name is lost' if lost else ''}; without the broken byte, read "
        f"{read_en}. For full column names, give the fields shorter names (at most 3 Chinese characters) in your "
        "GIS program, or export the layer as GeoPackage or GeoJSON")


def shapefile_misread(src, label: str, encoding: str | None, *, chosen: bool) -> InputDataError | None:
    """The error for a Shapefile whose text the encoding in force, ``encoding`` (chosen by hand when ``chosen``: the
    Data page's 文字编码, --encoding; else the one its .cpg names), reads as garbled text because the .dbf's text is
    plainly UTF-8, simplified or traditional Chinese (:func:`geo.points.misread_error`, as for a CSV); else None.

    QA 35: a UTF-8 .dbf whose .cpg said GBK (or 936) was read silently as mojibake (GDAL, unable to convert its
    field names, falls back to ISO-8859-1: 名称 became å\x90\x8dç§°), and so was one read with GB18030 chosen."""
    from geo.points import encoding_label, misread_error

    codec = codec_name(encoding, default="")
    if not codec or codec in ("utf-8", "utf-8-sig"):
        return None
    try:  # the .dbf's text as its bytes (no recoding): names and the first rows' values
        sample = pyogrio.read_dataframe(src, read_geometry=False, max_features=200, encoding="latin1")
        cells = [str(c) for c in sample.columns] + [
            v for c in sample.columns if sample[c].dtype == object or pd.api.types.is_string_dtype(sample[c].dtype)
            for v in sample[c] if isinstance(v, str)]
        raw = "\n".join(cells).encode("latin-1")
    except Exception:  # not readable, or text that is not bytes: the read itself says what it finds
        return None
    wrong = misread_error(raw, label, encoding, codec, raw.decode(codec, errors="replace"))
    if wrong is None or chosen:
        return wrong
    shown, found = encoding_label(CPG_CODE_PAGES.get(str(encoding).strip(), encoding)), wrong.details["detected"]
    bad, good = wrong.details["misread"], wrong.details.get("reads_as", "")
    return InputDataError(
        f"{label}: its .cpg file names the text encoding {shown}, but the layer's text is {found}: read as {shown} "
        f"it is garbled text (\"{bad}\" where {found} reads \"{good}\").",
        f"{label}：其 .cpg 文件注明的文字编码为 {shown}，但图层的文字是 {found} 编码：按 {shown} 读取是乱码"
        f"（文件中的“{good}”（按 {found} 读取）被读成“{bad}”）。",
        hint_en=f"Set \"Text encoding\" to {found} (it takes the place of the .cpg's), or write {found} in the .cpg "
                "file and zip the layer again.",
        hint_zh=f"请把“文字编码”改为 {found}（将代替 .cpg 所注明的编码），或把 .cpg 文件的内容改为 {found} 后重新压缩图层。",
        details={**wrong.details, "cpg": str(encoding)})


def cpg_encoding(src) -> str | None:
    """The encoding the .cpg beside the Shapefile ``src`` names ("936", "GBK", "UTF-8" as written), or None without
    a .cpg or for one naming no encoding Python knows."""
    src = Path(src)
    try:  # X.CPG beside X.shp too: GDAL honours it, and the misread check must see what GDAL read by (review of QA 35)
        cpg = next((p for p in src.parent.glob(glob.escape(src.stem) + ".*") if p.suffix.lower() == ".cpg"
                    and p.stem == src.stem), None)
        named = cpg.read_text("ascii", errors="replace").strip() if cpg is not None and cpg.is_file() else ""
    except OSError:
        return None
    return named if named and codec_name(named, default="") else None


def shapefile_encoding(src: Path) -> tuple[dict, str | None]:
    """(read options, encoding to report) for a Shapefile.

    GDAL honours a .cpg (and the .dbf's language byte) itself. Without either it
    reads the .dbf as ISO-8859-1, which turns Chinese into mojibake; the same
    bytes decoded as UTF-8 or GB18030 (the usual Chinese encodings) are right.
    """
    named = cpg_encoding(src)
    if named:
        return {}, named
    # a .cpg naming no encoding (GDAL ignores it) is not reported as one: the text is detected as without a .cpg
    # (it was read as ISO-8859-1 mojibake, reported as the .cpg's word; geo.imports.read_gis ignored it so already)
    info = pyogrio.read_info(src)
    if str(info.get("encoding", "")).upper() not in ("ISO-8859-1", "LATIN1"):
        return {}, info.get("encoding")
    sample = pyogrio.read_dataframe(src, read_geometry=False, max_features=200)
    text = "".join(
        str(v) for c in sample.columns if sample[c].dtype == object or pd.api.types.is_string_dtype(sample[c].dtype)
        for v in sample[c] if v is not None and not (isinstance(v, float) and np.isnan(v)))
    try:
        raw = text.encode("latin-1")
        names = [str(c).encode("latin-1") for c in sample.columns]
    except UnicodeEncodeError:
        return {}, info.get("encoding")
    if raw.isascii() and all(n.isascii() for n in names):
        return {}, info.get("encoding")
    for enc in ("utf-8", "gb18030"):
        try:
            raw.decode(enc)
        except UnicodeDecodeError:
            continue
        # a field name may end in half a character (the .dbf's 10 bytes cut 设施类型 after 3 and a third):
        # still UTF-8, read by read_shapefile without the broken byte (QA 25: it was taken for GB18030)
        if all("\ufffd" not in decode_cut(n, enc)[0] for n in names):
            return {"encoding": enc.upper()}, enc.upper()
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
        check_shapefile_parts(path.name, PurePosixPath(shps[0]).name, names, stem)
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            if (stem + ext).lower() in names:
                archives.copy_member(zf, names[(stem + ext).lower()], tmp / f"layer{ext}", path.name)
    return tmp / "layer.shp"


def check_shapefile_parts(label: str, shp: str, names, stem: str, *, zipped: bool = True) -> None:
    """Refuse the Shapefile ``shp`` (its name) when its .shx or .dbf is missing: ``names`` are the lower-case names
    of the files beside it (members of its zip, or of its folder), ``stem`` its name (path) without ``.shp``. A bare
    .shp without them said GDAL's English ("Unable to open layer.shx"), a zipped one this (review of QA 35)."""
    for ext in (".shx", ".dbf"):
        if (stem + ext).lower() not in names:
            if zipped:
                raise file_error(label, f"{shp} comes without its {ext} file.", f"{shp} 缺少同名的 {ext} 文件。",
                                 "Zip every file of the layer (.shp, .shx, .dbf, .prj, .cpg).",
                                 "请压缩该图层的全部文件（.shp、.shx、.dbf、.prj、.cpg）。", missing=ext)
            raise file_error(label, f"{shp} comes without its {ext} file: a Shapefile is several files of one name "
                             "(.shp, .shx, .dbf, .prj, .cpg), and the .shp alone cannot be read.",
                             f"{shp} 缺少同名的 {ext} 文件：Shapefile 由同名的多个文件（.shp、.shx、.dbf、.prj、.cpg）"
                             "组成，仅有 .shp 文件无法读取。",
                             "Zip every file of the layer (.shp, .shx, .dbf, .prj, .cpg) into one .zip and use "
                             "the zip (or put them all in one folder).",
                             "请把该图层的全部文件（.shp、.shx、.dbf、.prj、.cpg）压缩为一个 .zip 文件后使用"
                             "（或把它们放在同一文件夹中）。", missing=ext)


def _unzip_kml(path: Path, tmp: Path) -> Path:
    with archives.open_checked(path) as zf:
        kmls = archives.members(zf, ".kml")
        if not kmls:
            raise file_error(path.name, "the KMZ holds no .kml document.", "KMZ 文件中没有 .kml 文档。",
                             "Export the points again as KML or KMZ.", "请重新导出为 KML 或 KMZ。")
        doc = next((k for k in kmls if PurePosixPath(k).name.lower() == "doc.kml"), kmls[0])
        return archives.copy_member(zf, doc, tmp / "doc.kml", path.name)

