"""geo.points.read_points_csv: encodings, aliases, and clear errors."""
from __future__ import annotations

import pytest

from geo.errors import InputDataError
from geo.points import read_points_csv


def test_utf8_bom_and_aliases(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("编号,经度,纬度,名称2\n张湾敬老院,110.78,32.65,x\n2,110.5,32.4,y\n",
                 encoding="utf-8-sig")
    g = read_points_csv(p, region="shiyan")
    assert g["id"].tolist() == ["张湾敬老院", "2"]
    assert g.crs.to_epsg() == 4326 and g.geometry.x.tolist() == [110.78, 110.5]
    assert g.attrs["encoding"] == "utf-8-sig" and "名称2" in g.columns


def test_gbk(tmp_path):
    p = tmp_path / "p.csv"
    p.write_bytes("id,lon,lat\n郧阳区福利院,110.81,32.83\n".encode("gbk"))
    g = read_points_csv(p)
    assert g["id"].iloc[0] == "郧阳区福利院" and g.attrs["encoding"] == "gbk"


def test_duplicates_and_lines(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("id,lon,lat\na,110.7,32.6\na,110.8,32.6\nb,,32.6\n", encoding="utf-8")
    with pytest.raises(InputDataError) as exc:
        read_points_csv(p)
    assert exc.value.details["lines"] == [4]          # the blank lon, line 4
    p.write_text("id,lon,lat\na,110.7,32.6\na,110.8,32.6\n", encoding="utf-8")
    with pytest.raises(InputDataError) as exc:
        read_points_csv(p)
    assert exc.value.details["ids"] == ["a"]


def test_swapped_hint(tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("id,lon,lat\na,110.7,32.6\nb,32.6,110.7\n", encoding="utf-8")
    with pytest.raises(InputDataError) as exc:
        read_points_csv(p)
    assert exc.value.details["lines"] == [3] and "交换" in exc.value.hint_zh


def test_missing_file(tmp_path):
    with pytest.raises(InputDataError):
        read_points_csv(tmp_path / "none.csv")
