"""Where a register's points fall: datum conversion, region and township tests, datum evidence.

Chinese web maps publish coordinates in GCJ-02 (Amap, Tencent) or BD-09
(Baidu), a few hundred metres off WGS84; registers copied from them look right
and are wrong. When a sample of points fits the township polygons (and the
region) clearly better after one of these conversions, that is evidence of the
datum: it is reported with the numbers, and applied only when the planner
declares it.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import shapely
from scipy.stats import binomtest

from geo.coords import DATUMS, MIN_NET, SUGGEST_P, to_wgs84_xy
from geo.crs import lonlat_to_metric

#: The datums (DATUMS), their conversion to WGS84 (prcoords' iterative inverses, only within China) and the sign
#: test's level (SUGGEST_P, MIN_NET) are geo.coords' (one implementation for village files and registers); the
#: conversion keeps its name here (planner.register, tests).
to_wgs84 = to_wgs84_xy
#: How planners write a datum in a per-row column (folded: NFKC, lower case, no spaces, "-", "_", "/", "·" or
#: brackets, no trailing 坐标/坐标系/经纬度), found by the words in it, as a coordinate column's header names one
#: (planner.register_columns.header_datum). CGCS2000 (2000国家大地坐标系, EPSG:4490) agrees with WGS84 within a
#: metre and is read as WGS84, as everywhere in coverplan (planner.register.COORDS, geo.coords.DATUM_LABELS); GPS,
#: EPSG:4326 and 天地图 are WGS84; 高德, 腾讯 and 火星坐标 are GCJ-02; 百度 is BD-09. QA 36: only exact keys were
#: known, and WGS-84坐标系, 2000国家大地坐标系, GCJ-02坐标, 百度坐标, EPSG:4326, GPS坐标 ... were refused.
_DATUM_WORDS = (("bd09", re.compile(r"百度|baidu|bd09|^bd(ll)?$")),
                ("gcj02", re.compile(r"高德|腾讯|火星|gcj|amap|gaode|tencent|mars")),
                ("wgs84", re.compile(r"wgs|gps|cgcs|天地图|tianditu|国家大地|国家2000|北斗|(?<!\d)(2000|4326|4490)(?!\d)")))
#: Words of what is no lon/lat datum coverplan converts: a projection (BD-09's Mercator metres, Gauss-Kruger zones,
#: web Mercator) or another datum (北京54, 西安80): unknown, whatever datum word is written beside them.
_NOT_A_DATUM = re.compile(r"墨卡托|mercator|bd09mc|^bdmc$|投影|平面|高斯|gauss|度带|分带|utm|3857|900913|"
                          r"北京|西安|1954|1980|beijing|xian|54$|80$")
#: What a datum cell may end with and still name only the datum (WGS-84坐标系, 百度坐标, 高德地图经纬度).
_DATUM_SUFFIX = re.compile(r"(坐标系|坐标|经纬度|地图|系|系统|coordinates?|system|datum)+$")
#: Points this close outside the region still count as in it (approximate county edges, a
#: facility on the boundary road).
REGION_BUFFER_M = 1000.0


def norm_datum(value) -> str | None:
    """The datum a per-row coordinate-system cell names: ``GCJ-02``, ``gcj02``, ``高德``, ``火星坐标`` -> "gcj02";
    ``WGS-84坐标系``, ``GPS坐标``, ``EPSG:4326``, ``CGCS2000``, ``2000国家大地坐标系`` -> "wgs84"; ``百度坐标``,
    ``BD-09`` -> "bd09" (:data:`_DATUM_WORDS`); "" -> ""; unknown, a projection, or words of two datums -> None."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip().lower()
    if not text:
        return ""
    text = re.sub(r"[\s\-_/·.()\[\]（）【】]+", "", text)
    bare = _DATUM_SUFFIX.sub("", text) or text  # (BD坐标: "bd"; 天地图 is found before its 地图 is taken off)
    if _NOT_A_DATUM.search(text) or _NOT_A_DATUM.search(bare):
        return None
    found = {d for d, words in _DATUM_WORDS if words.search(text) or words.search(bare)}
    return found.pop() if len(found) == 1 else None


class RegionShapes:
    """The region's outline and townships, for point tests."""

    def __init__(self, region) -> None:
        self.outline = shapely.union_all(region.counties.geometry.values)
        self.outline_m = shapely.transform(self.outline, lambda c: np.column_stack(lonlat_to_metric(c[:, 0], c[:, 1])))
        self.buffered_m = self.outline_m.buffer(REGION_BUFFER_M)
        shapely.prepare(self.outline)
        shapely.prepare(self.buffered_m)
        towns = region.townships
        self.codes = np.asarray(towns.index.astype(str))
        self.polys = np.asarray(towns.geometry.values)
        self.by_code = dict(zip(self.codes, self.polys))
        self.tree = shapely.STRtree(self.polys)

    def inside(self, lon, lat) -> np.ndarray:
        """In the region, allowing REGION_BUFFER_M."""
        ok = np.isfinite(lon) & np.isfinite(lat)
        out = np.zeros(len(lon), bool)
        x, y = lonlat_to_metric(lon[ok], lat[ok])
        out[ok] = shapely.contains_xy(self.buffered_m, x, y)
        return out

    def inside_exact(self, lon, lat) -> np.ndarray:
        ok = np.isfinite(lon) & np.isfinite(lat)
        out = np.zeros(len(lon), bool)
        out[ok] = shapely.contains_xy(self.outline, lon[ok], lat[ok])
        return out

    def km_outside(self, lon: float, lat: float) -> float | None:
        """Distance from the region in km; None where it cannot be computed (a latitude beyond ±90)."""
        if not (np.isfinite(lon) and np.isfinite(lat)) or abs(lat) > 90:
            return None
        x, y = lonlat_to_metric(lon, lat)
        if not (np.isfinite(x) and np.isfinite(y)):
            return None
        km = float(shapely.distance(self.outline_m, shapely.Point(x, y))) / 1000
        return km if np.isfinite(km) else None

    def township_of(self, lon, lat) -> np.ndarray:
        """Township code of each point ("" where none); a point in a gap between the
        (approximate) polygons, or just outside the region, takes the nearest township."""
        out = np.full(len(lon), "", dtype=object)
        ok = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat))
        if not len(ok):
            return out
        pts = shapely.points(lon[ok], lat[ok])
        src, hit = self.tree.query(pts, predicate="within")
        first = {}
        for s, h in zip(src, hit):
            first.setdefault(int(s), int(h))
        for s, h in first.items():
            out[ok[s]] = self.codes[h]
        missing = [i for i in range(len(ok)) if i not in first]
        if missing:
            near = self.tree.nearest(pts[missing])
            for m, h in zip(missing, near):
                out[ok[m]] = self.codes[int(h)]
        return out

    def in_township(self, lon, lat, codes) -> np.ndarray:
        """Whether each point lies in the township ``codes[i]`` (False where no code)."""
        out = np.zeros(len(lon), bool)
        codes = np.asarray(codes, dtype=object)
        for code in set(codes) - {"", None}:
            poly = self.by_code.get(code)
            mask = (codes == code) & np.isfinite(lon) & np.isfinite(lat)
            if poly is not None and mask.any():
                out[mask] = shapely.contains_xy(poly, lon[mask], lat[mask])
        return out


def datum_evidence(shapes: RegionShapes, lon, lat, declared, applied: str = "wgs84") -> tuple[dict, dict | None]:
    """How well the points fit under each datum, and the datum to suggest (or None).

    Every point scores one for lying in the region and one for lying in the
    township its row names (where it names one). A datum is suggested when,
    against ``applied``, more points score better than worse by a one-sided sign
    test at SUGGEST_P, and by MIN_NET points at least (geo.coords' levels; its
    datum_by_polygons is this test for a village file, which reports only the datum
    chosen: a register's report gives every datum's counts).
    """
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    declared = np.asarray(declared, dtype=object)
    ok = np.isfinite(lon) & np.isfinite(lat)
    named = ok & (declared != "") & np.array([d is not None for d in declared], bool)
    scores, evidence = {}, {}
    for datum in DATUMS:
        x, y = to_wgs84(lon, lat, datum)
        region = shapes.inside_exact(x, y) & ok
        town = shapes.in_township(x, y, np.where(named, declared, ""))
        scores[datum] = region.astype(int) + town.astype(int)
        evidence[datum] = {"points": int(ok.sum()), "inside_region": int(region.sum()),
                           "named_township": int(named.sum()), "inside_named_township": int(town.sum())}
    best = None
    base = scores[applied]
    for datum in DATUMS:
        if datum == applied:
            continue
        better = int((scores[datum] > base).sum())
        worse = int((scores[datum] < base).sum())
        p = float(binomtest(better, better + worse, 0.5, alternative="greater").pvalue) if better else 1.0
        evidence[datum].update({"better": better, "worse": worse, "p_value": p})
        if p < SUGGEST_P and better - worse >= MIN_NET and (best is None or better - worse > best[1]):
            best = (datum, better - worse)
    if best is None:
        return evidence, None
    return evidence, {"datum": best[0], "against": applied, "before": evidence[applied], "after": evidence[best[0]]}
