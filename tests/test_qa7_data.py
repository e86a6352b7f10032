"""The data-import page's QA defects (qa7): what township and village uploads report, identical
re-imports, the report workbook's sheet name, and the language of map edits' notes."""
from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import pytest


def upload(client, content: bytes, name: str, lang: str = "zh", **form):
    data = {"coords": "wgs84", **form, "file": (io.BytesIO(content), name)}
    return client.post(f"/api/data/uploads?lang={lang}", data=data, content_type="multipart/form-data")


def villages_csv(shiyan, n=3, encoding="gbk") -> bytes:
    v = shiyan.villages.head(n)
    lines = ["代码,经度,纬度"] + [f"{c},{g.x:.6f},{g.y:.6f}" for c, g in zip(v.index, v.geometry)]
    return ("\n".join(lines) + "\n").encode(encoding)


def township_layer(shiyan, crs="EPSG:4326") -> gpd.GeoDataFrame:
    t = shiyan.townships
    g = t.loc[[t.index[5]], ["geometry"]].copy()
    g["code"] = t.index[5]
    return gpd.GeoDataFrame(g.reset_index(drop=True), crs="EPSG:4326").to_crs(crs)


def geojson_bytes(gdf: gpd.GeoDataFrame, with_crs: bool) -> bytes:
    d = json.loads(gdf.to_json())
    if with_crs:
        d["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{gdf.crs.to_epsg()}"}}
    return json.dumps(d).encode("utf-8")


def test_village_csv_reports_its_detected_encoding(client, shiyan):
    for enc, label in (("gbk", "GBK"), ("utf-8", "UTF-8"), ("utf-8-sig", "UTF-8 (BOM)")):
        rep = upload(client, villages_csv(shiyan, encoding=enc), "村点.csv", kind="villages").get_json()
        assert rep["counts"]["accepted"] == 3, rep
        assert rep["encoding"] == label
        assert rep["crs"] is None  # lon/lat in a table: no CRS stated (as a facility register's report)
        assert not rep["issues"]


def test_township_geojson_reports_the_crs_it_states_or_the_spec_default(client, shiyan):
    # no "crs" member: GeoJSON is WGS84 lon/lat by its standard, nothing is assumed
    rep = upload(client, geojson_bytes(township_layer(shiyan), False), "乡镇.geojson", kind="townships").get_json()
    assert (rep["crs"], rep["encoding"], rep["counts"]["warnings"]) == ("EPSG:4326", "UTF-8", 0), rep
    rep = upload(client, geojson_bytes(township_layer(shiyan, "EPSG:3857"), True), "乡镇.geojson", "en",
                 kind="townships").get_json()
    assert rep["counts"]["accepted"] == 1 and rep["crs"] == "EPSG:3857", rep


@pytest.mark.parametrize("lang,words", [("zh", "没有给出坐标系"), ("en", "states no coordinate system")])
def test_township_shapefile_without_prj_warns_that_the_crs_was_assumed(client, shiyan, tmp_path, lang, words):
    shp = tmp_path / "towns"
    shp.mkdir()
    township_layer(shiyan).to_file(shp / "towns.shp", encoding="utf-8")
    (shp / "towns.prj").unlink()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in shp.iterdir():
            z.write(f, f.name)
    rep = upload(client, buf.getvalue(), "towns.zip", lang, kind="townships").get_json()
    assert rep["counts"]["accepted"] == 1 and rep["counts"]["warnings"] == 1, rep
    issue = rep["issues"][0]
    assert issue["code"] == "crs_assumed" and issue["severity"] == "warning" and words in issue["message"]
    assert rep["crs"] == "EPSG:4326" and rep["encoding"] == "UTF-8"
    # the downloadable report lists it too, in the language asked then
    other = "en" if lang == "zh" else "zh"
    text = client.get(f"/api/data/uploads/{rep['upload_id']}/report.csv?lang={other}").data.decode("utf-8-sig")
    assert ("states no coordinate system" if other == "en" else "没有给出坐标系") in text
