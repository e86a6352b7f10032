"""Which datum a file's longitudes and latitudes are in, told by its points (no header, no id column needed).

Chinese web maps publish GCJ-02 (Amap, Tencent) or BD-09 (Baidu) coordinates, 0.5 km and 1.2 km off WGS84 in
Shiyan; a list copied from them looks right and is wrong by that much, each point the same way. Read as WGS84
(``--coords auto``), such a file is suggested its datum when its own points say so, by one of two tests:

* :func:`datum_by_reference`: the points matched to places whose true point is known (a village's code naming
  a village already imported with an official point; a facility's id or name naming one of the current
  register): read as WGS84 they lie a median of more than OFFSET_M from those places, converted from one datum
  they lie within CLOSE_M. The test of a facility register's ids (planner.register) on any match.
* :func:`datum_by_polygons`: each point against the polygon its row claims (a village's county and township, by
  its code). Converting from a datum brings points back inside more often than it takes them out, by a one-sided
  sign test. Only official polygons tell: an approximate (示意) township's edge is kilometres off, far more than a
  datum's 0.5 km, and a point correctly placed lies outside it as often as not, so no test of a datum's offset can
  be read from it (the caller passes no polygon for such a row). County boundaries are official (天地图).

Either returns None when the points do not say; then nothing is suggested (a datum is never applied on a guess:
only the one the planner chooses). The conversions are prcoords' own (its iterative inverses).
"""
from __future__ import annotations

import numpy as np
import prcoords
import shapely

DATUMS = ("wgs84", "gcj02", "bd09")
#: The inverse shifts (iterative, accurate to centimetres), as geo.imports and planner.register_checks apply them.
TO_WGS = {"gcj02": prcoords.gcj_wgs_bored, "bd09": prcoords.bd_wgs_bored}
#: A datum told by matched points: this many at least, lying a median of more than OFFSET_M from their known
#: places as read and within CLOSE_M once converted, four in five of them within a fifth of their distance as
#: read (planner.register's MIN_ID_MATCHES, ID_OFFSET_M, ID_CLOSE_M: a village that really moved is one of many,
#: not the median).
MIN_MATCHES, OFFSET_M, CLOSE_M = 5, 250.0, 60.0
#: A datum told by polygons: rows brought inside their polygon outnumber rows taken out by a one-sided sign test
#: at this level, by MIN_NET rows at least (planner.register_checks.SUGGEST_P and MIN_NET).
SUGGEST_P, MIN_NET = 0.01, 2
#: How the datums are named in messages (planner.i18n data_coords_*: geo does not import planner).
DATUM_LABELS = {"wgs84": {"zh": "WGS84 / CGCS2000（GPS、天地图）", "en": "WGS84 / CGCS2000 (GPS, Tianditu)"},
                "gcj02": {"zh": "GCJ-02（高德、腾讯）", "en": "GCJ-02 (Amap, Tencent)"},
                "bd09": {"zh": "BD-09（百度）", "en": "BD-09 (Baidu)"}}


def in_china(lon, lat) -> np.ndarray:
    """Where GCJ-02/BD-09 apply: prcoords' own China box (its sanity_in_china_p), NaN excluded."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    with np.errstate(invalid="ignore"):
        return (lon >= 72.004) & (lon <= 137.8347) & (lat >= 0.8293) & (lat <= 55.8271)


def to_wgs84_xy(lon, lat, datum: str) -> tuple[np.ndarray, np.ndarray]:
    """Copies of ``lon, lat`` converted from ``datum`` to WGS84 by prcoords (NaN and points outside China stay)."""
    lon, lat = np.array(lon, float), np.array(lat, float)
    fn = TO_WGS.get(datum)
    if fn is None:
        return lon, lat
    for i in np.flatnonzero(in_china(lon, lat)):
        c = fn(prcoords.Coords(lat=lat[i], lon=lon[i]))
        lat[i], lon[i] = c.lat, c.lon
    return lon, lat


def _metres(x, y, hx, hy) -> np.ndarray:
    """Equirectangular distances (m) between points a few km apart."""
    k = 111_320.0
    return np.hypot((x - hx) * k * np.cos(np.radians(hy)), (y - hy) * k)


def datum_by_reference(lon, lat, ref_lon, ref_lat, applied: str = "wgs84") -> dict | None:
    """The datum that puts the points (as read in ``applied``) on their known places ``ref_lon, ref_lat`` (WGS84, one
    for each point, NaN where none is known), or None. {"datum", "against", "test": "reference", "n", "median_m_before",
    "median_m_after"}."""
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    hx, hy = np.asarray(ref_lon, float), np.asarray(ref_lat, float)
    rows = np.flatnonzero(np.isfinite(lon) & np.isfinite(lat) & np.isfinite(hx) & np.isfinite(hy)
                          & in_china(lon, lat))
    if len(rows) < MIN_MATCHES:
        return None
    lon, lat, hx, hy = lon[rows], lat[rows], hx[rows], hy[rows]
    as_read = _metres(*to_wgs84_xy(lon, lat, applied), hx, hy)
    if np.median(as_read) <= OFFSET_M:
        return None
    for datum in DATUMS:
        if datum == applied:
            continue
        moved = _metres(*to_wgs84_xy(lon, lat, datum), hx, hy)
        if np.median(moved) <= CLOSE_M and np.mean(moved < 0.2 * as_read) >= 0.8:
            return {"datum": datum, "against": applied, "test": "reference", "n": int(len(rows)),
                    "median_m_before": round(float(np.median(as_read)), 1),
                    "median_m_after": round(float(np.median(moved)), 1)}
    return None


def _inside(polys: np.ndarray, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    has = np.array([p is not None and not shapely.is_empty(p) for p in polys], bool)
    out = np.zeros(len(polys), bool)
    if has.any():
        out[has] = shapely.contains_xy(polys[has], lon[has], lat[has])
    return out


def datum_by_polygons(lon, lat, claimed, applied: str = "wgs84") -> dict | None:
    """The datum that brings the points (as read in ``applied``) inside the polygons their rows claim, or None.

    ``claimed``: for each point, a sequence of (official) polygons it should lie in (its county, its township),
    None or empty for a point that claims none. A point scores one for each it lies in; a datum is suggested when,
    converted from it, more points score higher than lower at SUGGEST_P (one-sided sign test) and by MIN_NET.
    {"datum", "against", "test": "polygons", "n", "better", "worse", "outside_before", "outside_after",
    "claims", "p_value"}."""
    from scipy.stats import binomtest

    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    claimed = [tuple(p for p in (c or ()) if p is not None) for c in claimed]
    ok = np.isfinite(lon) & np.isfinite(lat) & in_china(lon, lat) & np.array([bool(c) for c in claimed], bool)
    rows = np.flatnonzero(ok)
    if len(rows) < MIN_NET:
        return None
    depth = max(len(claimed[i]) for i in rows)
    layers = [np.array([claimed[i][k] if k < len(claimed[i]) else None for i in rows], dtype=object)
              for k in range(depth)]
    claims = int(sum(len(claimed[i]) for i in rows))

    def score(x, y) -> np.ndarray:
        return sum(_inside(polys, x, y).astype(int) for polys in layers)
    base = score(*to_wgs84_xy(lon[rows], lat[rows], applied))
    best = None
    for datum in DATUMS:
        if datum == applied:
            continue
        s = score(*to_wgs84_xy(lon[rows], lat[rows], datum))
        better, worse = int((s > base).sum()), int((s < base).sum())
        p = float(binomtest(better, better + worse, 0.5, alternative="greater").pvalue) if better else 1.0
        net = better - worse
        if p < SUGGEST_P and net >= MIN_NET and (best is None or net > best["better"] - best["worse"]):
            best = {"datum": datum, "against": applied, "test": "polygons", "n": int(len(rows)), "better": better,
                    "worse": worse, "outside_before": claims - int(base.sum()), "outside_after": claims - int(s.sum()),
                    "claims": claims, "p_value": p}
    return best
