"""Light geometry for maps: simplified, rounded shapes and the service-area layer.

Both the web map (web/layers.py, web/service.py) and the offline maps
(planner/mapexport.py) draw these. Pages must stay under 3 MB on an intranet
desktop, so polygons are simplified (Douglas-Peucker, topology preserved) and
every coordinate is rounded to 5 decimals (about 1 m, far finer than the 示意
geometry is accurate).
"""
from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import mapping
from shapely.ops import unary_union

from geo.travel import service_area

#: Coordinates kept: 5 decimals of a degree, about 1 m.
DECIMALS = 5
#: Simplification of the dissolved service areas, in degrees (1e-3 deg is about 100 m at 32.6N).
TOL_SERVICE_AREA = 0.002


def _round(coords: np.ndarray) -> np.ndarray:
    return np.round(coords, DECIMALS)


def light_geometry(geom, tolerance: float = 0.0):
    """Simplified, rounded copy of ``geom`` (None stays None)."""
    if geom is None or geom.is_empty:
        return None
    if tolerance and geom.geom_type not in ("Point", "MultiPoint"):
        geom = shapely.simplify(geom, tolerance, preserve_topology=True)
    return shapely.transform(geom, _round)


def service_area_layer(region, ft, facilities, mode: str = "estimate", graph=None) -> dict | None:
    """Union of the facilities' service areas (one light polygon layer).

    Drawn as one dissolved layer: hundreds of overlapping circles would be
    heavier to ship and their stacked opacity would look like extra coverage.
    A facility with a ``reach_factor`` (upgraded: planner.coverage.analyse_coverage) reaches that many
    times the standard: an upgrade's map drew its facilities at the reach they have now (QA 34).
    """
    if ft.rule != "within" or not len(facilities):
        return None
    kind = region.townships["kind_group"]
    # Only the part over the region is drawn: a very large standard would give
    # circles that wrap around the globe and break the union.
    frame = shapely.box(*region.counties.total_bounds).buffer(0.5)
    shapes = []
    factors = (np.nan_to_num(np.asarray(facilities["reach_factor"], dtype=float), nan=1.0)
               if "reach_factor" in facilities else np.ones(len(facilities)))
    for code, geom, factor in zip(facilities["township_code"], facilities.geometry, factors):
        urban = bool(kind.get(code) == "urban")
        cutoff = (ft.standard_urban if urban else ft.standard_rural) * (factor if factor > 0 else 1.0)
        area = service_area(geom, cutoff, mode=mode, unit=ft.unit, urban=urban, graph=graph)
        if not area.is_empty:
            shapes.append(shapely.make_valid(area).intersection(frame))
    merged = unary_union([s for s in shapes if not s.is_empty])
    geom = light_geometry(merged, TOL_SERVICE_AREA)
    return {"type": "FeatureCollection",
            "features": [] if geom is None else [{"type": "Feature", "geometry": mapping(geom),
                                                  "properties": {"type": ft.key}}]}


# -- provenance labels -------------------------------------------------------
# What is the sample (示意) and what the planner imported, per layer and per facility type, from the region's
# provenance: one wording for the exports' title line, the brief's footer and the maps' notes (QA 27: every
# export said "the embedded boundaries, village points and register are synthetic" after the type's register
# had been imported).

def _layers(region) -> dict:
    return (getattr(region, "provenance", None) or {}).get("layers") or {}


def register_provenance(region, type_key: str) -> dict:
    """One type's register in the region's provenance: ``{"file", "dataset_version", "synthetic", "count"}``;
    empty when none is recorded (the embedded sample, or a build without the per-type record)."""
    return ((_layers(region).get("facilities") or {}).get("by_type") or {}).get(type_key) or {}


def register_sources(region, type_key: str) -> list[tuple[str, int]]:
    """The (file, data version) pairs a type's own rows came in, oldest first: each row's ``source_file`` /
    ``source_version`` where a later version wrote them down (a county's import carries the other counties'
    rows over with theirs: planner.register_scope.stamp_own_rows), else the layer's. After two counties'
    imports the summary lines named only the last file (QA 29); ("", v) is a version with no file (map edits).
    Empty when the type has no version of the planner's."""
    import pandas as pd

    src = register_provenance(region, type_key)
    if not src.get("dataset_version"):
        return []
    layer = (str(src.get("file") or ""), int(src["dataset_version"]))
    fac = getattr(region, "facilities", None)
    if fac is None or "facility_type" not in fac or "source_version" not in fac:
        return [layer]
    rows = fac[fac["facility_type"].astype(str) == type_key]
    if "synthetic" in rows:
        rows = rows[~rows["synthetic"].fillna(False).astype(bool)]
    versions = pd.to_numeric(rows["source_version"], errors="coerce")
    files = rows["source_file"] if "source_file" in rows else pd.Series(None, index=rows.index, dtype=object)
    pairs = {(str(f) if isinstance(f, str) else "", int(v)) if v == v else layer for f, v in zip(files, versions)}
    return sorted(pairs, key=lambda fv: (fv[1], fv[0])) or [layer]


#: What a row added on the map says in its ``source`` column (web/data.py writes it with an empty ``source_file``).
MAP_ADDED_SOURCE = "planner edit (web)"


def register_source_groups(region, type_key: str) -> dict:
    """Where a type's own rows came from, grouped: ``{"imports": [(file, version or None)], "edited": [n, versions],
    "added": [n, versions]}``. ``imports``: each file once with the data version it came in (None when every row of
    the file has been changed on the map since: an edit writes its own version over the row's); ("", v) a version
    of the planner's data with no file. ``edited``: how many imported rows have been changed on the map (a row's
    ``edited_on_map``) and the versions of their latest change; ``added``: the rows added on the map, edited
    since or not. :func:`register_sources` counted each map edit as an import of the row's file (QA 31: 30 edits,
    30 entries "fang_wh_new.csv，数据版本 N"). Empty lists when the type has no version of the planner's."""
    import pandas as pd

    out: dict = {"imports": [], "edited": [0, []], "added": [0, []]}
    src = register_provenance(region, type_key)
    if not src.get("dataset_version"):
        return out
    layer_file, stored = str(src.get("file") or ""), int(src["dataset_version"])
    fac = getattr(region, "facilities", None)
    if fac is None or "facility_type" not in fac or "source_version" not in fac:
        out["imports"] = [(layer_file, stored)]
        return out
    rows = fac[fac["facility_type"].astype(str) == type_key]
    if "synthetic" in rows:
        rows = rows[~rows["synthetic"].fillna(False).astype(bool)]

    def col(name):
        return rows[name] if name in rows else pd.Series(None, index=rows.index, dtype=object)
    versions = pd.to_numeric(rows["source_version"], errors="coerce")
    edited = col("edited_on_map").astype(object).map(lambda v: str(v).strip().lower() in ("true", "1", "1.0"))
    imports: set = set()
    edited_files: set = set()
    edits: set = set()
    adds: set = set()
    for f, v, e, s in zip(col("source_file"), versions, edited, col("source")):
        v = int(v) if v == v else stored
        f = f if isinstance(f, str) else layer_file
        if not f and str(s) == MAP_ADDED_SOURCE:  # added on the map (and perhaps changed there since)
            out["added"][0] += 1
            adds.add(v)
        elif e:  # an imported row changed on the map: its version is the edit's, its file the import's
            out["edited"][0] += 1
            edits.add(v)
            if f:
                edited_files.add(f)
        else:
            imports.add((f, v))
    known = {f for f, _ in imports}
    pairs = sorted(imports, key=lambda fv: (fv[1], fv[0]))
    pairs += [(f, None) for f in sorted(edited_files - known)]
    out["imports"] = pairs
    out["edited"][1], out["added"][1] = sorted(edits), sorted(adds)
    if not pairs and not out["edited"][0] and not out["added"][0]:
        out["imports"] = [(layer_file, stored)]
    return out


def versions_phrase(versions: list[int], lang: str) -> str:
    """"数据版本 4" / "data version 4"; a few listed ("数据版本 4、6" / "data versions 4 and 6"); more as a range
    ("数据版本 4–9"): bounded whatever the number of edits."""
    from planner.i18n import t

    vs = sorted(set(int(v) for v in versions))
    if len(vs) == 1:
        return t("qa31f7_version", lang, v=vs[0])
    if len(vs) > 3:
        return t("qa31f7_versions", lang, vs=f"{vs[0]}–{vs[-1]}")
    if lang == "en":
        return t("qa31f7_versions", lang, vs=", ".join(map(str, vs[:-1])) + f" and {vs[-1]}")
    return t("qa31f7_versions", lang, vs="、".join(map(str, vs)))


def register_sources_text(region, type_key: str, lang: str, *, inner: bool = True,
                          fallback: tuple[str, int] | None = None) -> str:
    """Where a type's own rows came from, in words, the same on every face (the maps' 示意 line, the offline map,
    the facilities page, the overview, `region info`): each imported file once with its data version, then how
    many of those rows were changed on the map and how many added there (:func:`register_source_groups`):
    "fang_wh_new.csv，数据版本 1；其中 2 处在地图上修改，数据版本 4–9". ``inner``: worded for inside parentheses
    (else "fang_wh_new.csv（数据版本 1）"); ``fallback``: the (file, version) said when the region records none."""
    from planner.i18n import t

    g = register_source_groups(region, type_key)
    if not g["imports"] and not g["edited"][0] and not g["added"][0]:
        g["imports"] = [fallback] if fallback else [("", 0)]

    def when(versions) -> str:
        return t("qa31f7_when_inner" if inner else "qa31f7_when_paren", lang, vs=versions_phrase(versions, lang))
    parts = []
    for f, v in g["imports"]:
        if v is None:  # every row of the file changed on the map since: its version is no longer on any row
            parts.append(f)
        elif inner:
            parts.append(t("prov_file_version", lang, file=f, v=v) if f else t("prov_version", lang, v=v))
        else:
            parts.append(t("f10_file_version_paren", lang, file=f or t("f5_planner_data", lang), v=v))
    if g["edited"][0]:  # "of them" when a file is named before it
        parts.append(t("qa31f7_edited" if parts else "qa31f7_edited_alone", lang, n=f"{g['edited'][0]:,}", when=when(g["edited"][1])))
    if g["added"][0]:
        parts.append(t("qa31f7_added_more" if parts else "qa31f7_added", lang, n=f"{g['added'][0]:,}",
                       when=when(g["added"][1])))
    return PAIR_SEP.get(lang, "; ").join(parts)


def partly_imported(region, type_key: str) -> bool:
    """Whether some of a type's register is the planner's own (imported) while the rest is the sample's: a
    data version of the type's layer that only edited sample rows (a capacity typed on the map) is not an
    import (QA 28: the checklist said "the rest imported: the planner's data, version 5")."""
    src = register_provenance(region, type_key)
    return bool(src.get("dataset_version")) and int(src.get("own", 1)) > 0


def type_is_sample(region, type_key: str) -> bool:
    """Whether a type's register is (still partly) the sample's: imported with nothing synthetic left is not."""
    src = register_provenance(region, type_key)
    if src.get("dataset_version") and not src.get("synthetic"):
        return False
    if not src:  # no per-type record: the facilities layer as a whole decides
        return bool((_layers(region).get("facilities") or {"synthetic": True}).get("synthetic", True))
    return bool(src.get("synthetic", True))


def township_sources(region) -> list[tuple[str, int]]:
    """The (file, data version) pairs the planner's township boundaries still in the layer came in, oldest
    first, as :func:`register_sources` gives a register's: geo.datasets merges each township import on top of
    the earlier ones, so the layer's own file is only the last import's (F10: after county A's file, version 3,
    and county B's, version 5, the summaries credited every boundary to B). ``provenance["layers"]
    ["townships"]["sources"]`` (geo.datasets) where the region records them, else the layer's file and version;
    ("", v) is a version with no file. Empty when the layer has no version of the planner's."""
    towns = _layers(region).get("townships") or {}
    if towns.get("supplied_by") != "planner" or not towns.get("dataset_version"):
        return []
    pairs = []
    for s in towns.get("sources") or []:
        try:
            if int(s.get("count", 1)) > 0 and int(s.get("dataset_version") or 0) > 0:
                pairs.append((str(s.get("file") or ""), int(s["dataset_version"])))
        except (AttributeError, TypeError, ValueError):  # a provenance written otherwise: the layer's below
            pairs = []
            break
    return sorted(set(pairs), key=lambda fv: (fv[1], fv[0])) or \
        [(str(towns.get("file") or ""), int(towns["dataset_version"]))]


#: Between "file, data version N" pairs: a semicolon in both languages ("a.csv，数据版本 1、b.csv，数据版本 2" read
#: as if 1 and b.csv went together, QA 30; in English ", " made "a.csv, data version 1, b.csv, ..." four items).
PAIR_SEP = {"zh": "；", "en": "; "}


def township_labels(region, lang: str) -> tuple[str, str] | None:
    """The township boundaries as imported: ``("imported", phrase)`` when every boundary is the planner's,
    ``("approx", phrase)`` when some are (how many are still approximate, 示意, and every file and data version
    the others came in, :func:`township_sources`), None when the provenance records no import of the planner's
    boundaries. After an import the summaries still said "township boundaries approximated" without the file
    the provenance table named (F5)."""
    from planner.i18n import t

    pairs = township_sources(region)
    if not pairs:
        return None
    towns = _layers(region).get("townships") or {}
    layer = getattr(region, "townships", None)
    q = layer["geometry_quality"].astype(str) if layer is not None and "geometry_quality" in layer else None
    total = len(q) if q is not None else int(towns.get("count") or 0)
    own = int((q == "official").sum()) if q is not None else \
        (total if str(towns.get("geometry_quality")) == "official" else 0)
    if not own:  # a version of the layer with none of the planner's boundaries (the embedded ones restored)
        return None

    def one(f: str, v: int, inner: bool) -> str:  # "a.geojson，数据版本 3" inside parentheses, else "a.geojson（数据版本 3）"
        return t("prov_file_version" if inner else "f10_file_version_paren", lang,
                 file=f or t("f5_planner_data", lang), v=v)
    if own >= total:
        where = ("、" if lang == "zh" else ", ").join(one(f, v, False) for f, v in pairs)
        return "imported", t("f5_prov_imported_towns", lang, where=where)
    # "; " between English pairs inside the parentheses, as a register's: "a, data version 1, b, ..." read as four
    where = PAIR_SEP.get(lang, "; ").join(one(f, v, True) for f, v in pairs)
    return "approx", t("f5_approx_towns_some", lang, k=f"{total - own:,}", n=f"{total:,}", m=f"{own:,}", where=where)


def provenance_labels(region, lang: str, type_key: str | None = None, types: dict | None = None) -> dict:
    """``{"approx": [...], "imported": [...], "by_layer": {layer: phrase}}``: the phrases naming what is approximate or synthetic (示意) and
    what was imported (file and data version), for one facility type or (``type_key`` None) for all of
    ``types`` (default: the types file's). The census county totals are facts and are not named."""
    from planner.i18n import t

    sep = t("layer_list_sep", lang)
    layers = _layers(region)
    approx: list[str] = []
    imported: list[str] = []
    by_layer: dict[str, str] = {}

    def add(layer: str, text: str) -> None:
        approx.append(text)
        by_layer[layer] = text
    towns = layers.get("townships") or {}
    said = township_labels(region, lang)
    if said is None:  # no boundary of the planner's: the embedded ones, approximate as the provenance says
        if towns.get("synthetic") or str(towns.get("geometry_quality") or "approximate") != "official":
            add("townships", t("approx_towns", lang))
    elif said[0] == "approx":
        add("townships", said[1])
    else:
        imported.append(said[1])
    vil = layers.get("villages") or {}
    if vil.get("synthetic", True):
        q = getattr(region, "villages", None)
        q = q["location_quality"].astype(str) if q is not None and "location_quality" in q else None
        own = int((q == "official").sum()) if q is not None else 0
        if own and q is not None:
            add("villages", t("approx_villages_some", lang, k=f"{len(q) - own:,}", n=f"{len(q):,}", m=f"{own:,}"))
        else:
            add("villages", t("approx_villages", lang))
    elif vil.get("supplied_by"):
        imported.append(t("prov_imported_villages", lang, file=vil.get("file") or "", v=vil.get("dataset_version") or 0))
    pop = layers.get("population") or {}
    if pop.get("quality") == "derived" and not pop.get("supplied_by"):
        add("population", t("approx_population", lang))
    if types is None:
        from planner.facility_types import load_facility_types
        types = load_facility_types()
    keys = [type_key] if type_key else list(types)

    def name(k: str) -> str:
        ft = types.get(k)
        return ft.name(lang) if ft is not None and hasattr(ft, "name") else k

    def where(k: str) -> str:  # every file (and version) the type's own rows came in, the map edits counted once
        return register_sources_text(region, k, lang)
    sample = [k for k in keys if type_is_sample(region, k)]
    own = [k for k in keys if k not in sample]
    if type_key:
        if sample and partly_imported(region, type_key):  # a county's register imported, the rest the sample's
            add("facilities", t("approx_facilities_part", lang, where=where(type_key)))
        elif sample:
            add("facilities", t("approx_facilities", lang))
        else:
            imported.append(t("prov_imported_register", lang, where=where(type_key)))
    else:
        # a type whose register was imported for some counties is the sample's elsewhere: "partly", with its
        # file (QA 27: after one county's import the overview still called every register synthetic)
        part = [k for k in sample if partly_imported(region, k)]
        whole = [k for k in sample if k not in part]
        texts = []
        if whole and not own and not part:
            texts.append(t("approx_facilities", lang))
        elif len(whole) > 3:  # a long list of the sample's types: counted (the imported ones are named below)
            texts.append(t("approx_facilities_n", lang, n=len(whole), total=len(keys)))
        elif whole:
            texts.append(t("approx_facilities_of", lang, types=sep.join(name(k) for k in whole)))
        if part:
            texts.append(t("approx_facilities_part_of", lang,
                           list=sep.join(f"{name(k)}{t('prov_paren', lang, x=where(k))}" for k in part)))
        if texts:  # two clauses, each with its own list: a stronger separator between them
            add("facilities", ("；" if lang == "zh" else "; ").join(texts))
        if own:
            imported.append(t("prov_imported_registers", lang,
                              list=sep.join(f"{name(k)}{t('prov_paren', lang, x=where(k))}" for k in own)))
    return {"approx": approx, "imported": imported, "by_layer": by_layer}


def shown_types(frame, default_type: str) -> dict[str, bool]:
    """The facility types of the rows of ``frame`` (their ``facility_type``, else ``default_type``), each with whether
    any of its rows is synthetic (the sample's): what :func:`shown_register_label` reads. Empty for no rows."""
    import pandas as pd

    if frame is None or not len(frame):
        return {}
    keys = (frame["facility_type"].astype(object).where(frame["facility_type"].notna(), default_type).astype(str)
            if "facility_type" in frame else pd.Series(default_type, index=frame.index))
    syn = (frame["synthetic"].astype(object).where(frame["synthetic"].notna(), False).astype(bool)
           if "synthetic" in frame else pd.Series(False, index=frame.index))
    return {str(k): bool(v) for k, v in syn.groupby(keys.to_numpy(), sort=False).any().items()}


def shown_register_label(region, lang: str, shown: dict[str, bool], types: dict | None = None) -> str | None:
    """The 示意 phrase of a map's key for the facility registers of the facilities it draws: ``shown`` maps each type
    whose rows are drawn to whether any of them is synthetic (:func:`shown_types`). A conversion's map draws the
    facilities it converts (its numbered sites, rows of one type's register) as facilities of the type they become:
    its key read the provenance of the latter and said "facility register synthetic" of a register only partly the
    sample (QA 35). One type with sample rows: that type's words ("partly synthetic" with the file the rest came in,
    or "synthetic"); several: each named (:func:`provenance_labels` of those types); None when no row drawn is
    synthetic."""
    from planner.i18n import t

    keys = [k for k, synthetic in shown.items() if synthetic]
    if not keys:
        return None
    if len(keys) == 1:
        said = provenance_labels(region, lang, keys[0], types)["by_layer"].get("facilities")
    else:
        if types is None:
            from planner.facility_types import load_facility_types
            types = load_facility_types()
        said = provenance_labels(region, lang, None, {k: types.get(k) for k in keys})["by_layer"].get("facilities")
    # a register the provenance records as imported whose drawn rows still say synthetic: the plain words
    return said or t("approx_facilities", lang)


def sample_share(rows) -> str | None:
    """Whether an upgrade's or a conversion's numbered facilities (register rows) are the sample's: "all" when every
    row is synthetic, "part" when only some are, None when none is (or no row). ``rows``: a frame with a
    ``synthetic`` column, or the sites as dicts (a proposal's page rows)."""
    if rows is None:
        return None
    if hasattr(rows, "columns"):
        if not len(rows) or "synthetic" not in rows:
            return None
        flags = rows["synthetic"].astype(object).fillna(False).astype(bool).tolist()
    else:
        flags = [bool(r.get("synthetic")) for r in rows]
    if not any(flags):
        return None
    return "all" if all(flags) else "part"


def sample_words(rows, lang: str) -> str | None:
    """The numbered sites' 示意 word for the map keys (page layer box and legend, brief, offline map), from
    :func:`sample_share`: 示意 / "illustrative" when every facility is a sample row, 部分示意 / "partly illustrative"
    when only some are, None when none is. A conversion of a register partly imported said 示意 of all (QA 35)."""
    from planner.i18n import t

    share = sample_share(rows)
    return None if share is None else t("illustrative" if share == "all" else "qa35f9_partly_illustrative", lang)


def provenance_note(region, lang: str, type_key: str | None = None, types: dict | None = None, *,
                    lead: str = "export") -> str | None:
    """The 示意 sentence of an export's title line (``lead="export"``) or a brief's footer (``"brief"``):
    only what is approximate or synthetic is called 示意; an imported register is named with its file and
    data version. None when nothing is to be said."""
    from planner.i18n import t

    labels = provenance_labels(region, lang, type_key, types)
    sep = "，" if lang == "zh" else ", "
    out = []
    if labels["approx"]:
        out.append(t(f"prov_{lead}_approx", lang, items=sep.join(labels["approx"])))
    if labels["imported"]:
        out.append(("；" if lang == "zh" else "; ").join(labels["imported"]))
    if not out:
        return None
    out = [x[:1].upper() + x[1:] for x in out]  # each a sentence (English: "Facility register imported ...")
    return ("；" if lang == "zh" else "; ").join(out) if lead == "export" else \
        ("" if lang == "zh" else " ").join(x if x.endswith(("。", ".")) else x + ("。" if lang == "zh" else ".") for x in out)
