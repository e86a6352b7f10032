"""QA 34 (fixer F10): a facility register without ids, copied from Amap (GCJ-02), whose rows name current facilities,
was read as WGS84 without a word unless the township test fired; its rows matched by name (as the register gives them
their facility's id) now tell the datum through geo.coords.datum_by_reference, the one implementation the ids and
village files use. Every input is written here (tmp_path); the loaded region is only read."""
from __future__ import annotations

import prcoords
import pytest

from geo import coords
from planner import register_checks
from planner.register import validate_register


def _export(shiyan, path, shift: bool, rename: bool = False):
    """The embedded register's day-care centres as a bureau exports them, without the id column (示意 as the
    export writes it); their points through Amap (WGS84 -> GCJ-02, prcoords) when ``shift``."""
    fac = shiyan.facilities[shiyan.facilities["facility_type"] == "day_care"].iloc[:12]
    lines = []
    for k, (_, f) in enumerate(fac.iterrows()):
        lon, lat = f.geometry.x, f.geometry.y
        if shift:
            c = prcoords.wgs_gcj(prcoords.Coords(lat=lat, lon=lon))
            lon, lat = c.lon, c.lat
        name = f"新建照料中心{k}号" if rename else f["name"]
        lines.append(f"{name},日间照料中心,{lon:.7f},{lat:.7f},是")
    path.write_text("名称,类型,经度,纬度,示意\n" + "\n".join(lines) + "\n", "utf-8")
    return path


def test_a_register_without_ids_copied_from_amap_is_told_by_its_names(shiyan, tmp_path):
    report = validate_register(_export(shiyan, tmp_path / "amap.csv", shift=True), region=shiyan, coords="wgs84")
    s = report.datum_suggestion
    assert s is not None and s["datum"] == "gcj02" and s["against"] == "wgs84", s
    assert s["by_names"] == 12 and 300 < s["median_m_before"] < 800 and s["median_m_after"] < 1, s
    said = [i for i in report.issues if i.code == "datum_suggestion"]
    assert len(said) == 1 and said[0].row is None and said[0].severity == "warning"
    zh, en = said[0].message_zh, said[0].message_en
    assert "GCJ-02（高德、腾讯）" in zh and "12 处设施没有编号，按名称" in zh and "不到 1 米" in zh, zh
    assert "GCJ-02 (Amap, Tencent)" in en and "12 facilities" in en and "matched" in en and "by name" in en, en
    assert "under 1 m" in en and "about 0 m" not in en, en
    assert "--coords gcj02" in said[0].fix_en and "--coords gcj02" in said[0].fix_zh
    # only suggested: the points stay as read
    assert report.datum == "wgs84"


def test_the_same_register_unshifted_suggests_nothing(shiyan, tmp_path):
    report = validate_register(_export(shiyan, tmp_path / "wgs.csv", shift=False), region=shiyan, coords="wgs84")
    assert report.datum_suggestion is None
    assert not [i for i in report.issues if i.code == "datum_suggestion"]


def test_names_no_current_facility_has_tell_nothing(shiyan, tmp_path):
    path = _export(shiyan, tmp_path / "new.csv", shift=True, rename=True)
    assert validate_register(path, region=shiyan, coords="wgs84").datum_suggestion is None


def test_one_implementation_of_the_conversion_and_its_levels():
    # planner.register_checks keeps its names for its importers; they are geo.coords' own
    assert register_checks.to_wgs84 is coords.to_wgs84_xy and register_checks.DATUMS is coords.DATUMS
    assert (register_checks.SUGGEST_P, register_checks.MIN_NET) == (coords.SUGGEST_P, coords.MIN_NET)
    lon, lat = register_checks.to_wgs84([110.8], [32.6], "gcj02")
    back = prcoords.wgs_gcj(prcoords.Coords(lat=lat[0], lon=lon[0]))
    assert back.lon == pytest.approx(110.8, abs=1e-7) and back.lat == pytest.approx(32.6, abs=1e-7)
