"""A planner's own register: encodings, datums, bad input, unknown codes."""
from __future__ import annotations

import prcoords
import pytest
import shapely

from geo.errors import InputDataError
from planner.coverage import analyse_coverage
from planner.register import load_register


def _seat(shiyan, code="420302001"):
    t = shiyan.townships.loc[code]
    return float(t["seat_lon"]), float(t["seat_lat"])


def test_gbk_csv_with_chinese_headers(shiyan, tmp_path):
    lon, lat = _seat(shiyan)
    path = tmp_path / "register.csv"
    path.write_bytes(f"编号,名称,类型,经度,纬度\nA1,武当路日照中心,day_care,{lon},{lat}\n".encode("gbk"))
    reg = load_register(path, region=shiyan)
    assert reg.loc["A1", "facility_type"] == "day_care"
    assert reg.loc["A1", "township_code"] == "420302001"
    assert reg.loc["A1", "county_code"] == "420302"
    assert not reg["synthetic"].any()


def test_gcj02_coordinates_are_converted_to_wgs84(shiyan, tmp_path):
    lon, lat = _seat(shiyan)
    gcj = prcoords.wgs_gcj(prcoords.Coords(lat=lat, lon=lon))
    path = tmp_path / "amap.csv"
    path.write_text(f"id,name,facility_type,lon,lat\nG1,高德点,elderly_complex,{gcj.lon},{gcj.lat}\n", "utf-8")
    reg = load_register(path, region=shiyan, coords="gcj02")
    from geo.crs import lonlat_to_metric
    x0, y0 = lonlat_to_metric(lon, lat)
    x1, y1 = lonlat_to_metric(reg.geometry.x.iloc[0], reg.geometry.y.iloc[0])
    assert ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 < 1.0  # metres
    # read as WGS84 it would be several hundred metres off
    raw = load_register(path, region=shiyan)
    assert shapely.distance(raw.geometry.iloc[0], reg.geometry.iloc[0]) > 0.002


def test_xlsx_register_replaces_the_sample(shiyan, tmp_path):
    import pandas as pd
    lon, lat = _seat(shiyan, "420381450")
    path = tmp_path / "reg.xlsx"
    pd.DataFrame({"id": ["C1"], "name": ["武当山慈善站"], "facility_type": ["慈善工作站点"],
                  "lon": [lon], "lat": [lat], "built_year": [2025]}).to_excel(path, index=False)
    reg = load_register(path, region=shiyan)
    assert reg.loc["C1", "facility_type"] == "charity_station"
    cov = analyse_coverage(shiyan, "charity_station", facilities=reg)
    assert cov.summary["facilities"] == 1 and not cov.facilities["synthetic"].any()


@pytest.mark.parametrize("content, needle", [
    ("id,name,facility_type,lon,lat\nA,a,day_care,32.6,110.8\n", "swapped"),
    ("id,name,facility_type,lon,lat\nA,a,sauna,110.8,32.6\n", "unknown facility type"),
    ("id,name,lon,lat\nA,a,110.8,32.6\n", "no column says each facility's type"),
    ("id,name,facility_type,lon,lat\nA,a,day_care,116.4,39.9\n", "outside"),
    ("", "empty"),
    ("id,name,facility_type,lon,lat,township_code\nA,a,day_care,110.79,32.62,429999999\n", "unknown township code"),
])
def test_bad_registers_get_clear_errors(shiyan, tmp_path, content, needle):
    path = tmp_path / "bad.csv"
    path.write_text(content, "utf-8")
    with pytest.raises(InputDataError) as e:
        load_register(path, region=shiyan)
    assert needle in e.value.message("en").lower() or needle in e.value.message("en")
    assert e.value.message("zh")  # Chinese text always present
