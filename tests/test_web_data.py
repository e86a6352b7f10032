"""The planner's own data through the web API: upload → report → confirm → new version; diff; rollback.

Inputs are made here (pandas, geopandas, prcoords); nothing reads ../shared.
"""
from __future__ import annotations

import html as htmlmod
import io
import json
import zipfile

import geopandas as gpd
import numpy as np
import prcoords
import pytest
import shapely

from web.app import create_app


def upload(client, content: bytes, name: str, **form):
    data = {"kind": "facilities", "coords": "wgs84", **form, "file": (io.BytesIO(content), name)}
    return client.post("/api/data/uploads?lang=zh", data=data, content_type="multipart/form-data")


def gcj_register(shiyan, n=5, seed=3):
    """A GBK CSV register with Chinese headers, coordinates in GCJ-02; and the true WGS84 points."""
    rng = np.random.default_rng(seed)
    v = shiyan.villages.iloc[rng.choice(len(shiyan.villages), n, replace=False)]
    lines, truth = ["机构名称,类型,经度,纬度"], {}
    for i, (_, row) in enumerate(v.iterrows()):
        lat, lon = prcoords.wgs_gcj((row.geometry.y, row.geometry.x))
        name = f"{row['name'][:-3]}日间照料中心{i}"
        lines.append(f"{name},日间照料中心,{lon:.7f},{lat:.7f}")
        truth[name] = (row.geometry.x, row.geometry.y)
    return ("\n".join(lines) + "\n").encode("gbk"), truth


def test_gcj_register_upload_confirm_changes_coverage(client, app, shiyan):
    body, truth = gcj_register(shiyan)
    before = client.get("/api/coverage/day_care").get_json()
    r = upload(client, body, "日间照料中心名录.csv", coords="gcj02", replace="city")
    assert r.status_code == 200, r.data[:300]
    rep = r.get_json()
    assert rep["counts"]["accepted"] == 5 and rep["counts"]["refused"] == 0
    assert rep["encoding"].lower().startswith(("gb", "cp936"))
    assert len(rep["preview"]["features"]) == 5
    assert client.get("/api/data/versions").get_json()["current"] == 0  # nothing written yet
    done = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()
    assert done["version"] == 1
    after = client.get("/api/coverage/day_care").get_json()
    assert after["dataset_version"] == 1 and before["dataset_version"] == 0
    assert after["citywide"]["facilities"] == 5 != before["citywide"]["facilities"]
    layers = client.get("/api/coverage/day_care/layers").get_json()
    assert layers["dataset_version"] == 1
    for f in layers["facilities"]["features"]:
        x, y = f["geometry"]["coordinates"]
        tx, ty = truth[f["properties"]["name"]]
        # within 5 m of the true WGS84 point (1e-5 degree is about 1 m here)
        assert abs(x - tx) * 94_000 < 5 and abs(y - ty) * 111_000 < 5
    checklist = client.get("/api/townships?type=day_care").get_json()
    assert sum(r["facilities"] for r in checklist) == 5


def test_bad_rows_are_reported_and_nothing_is_written(client, app):
    body = "名称,类型,经度,纬度\n甲中心,日间照料中心,abc,32.6\n乙中心,日间照料中心,116.40,39.90\n".encode("utf-8")
    rep = upload(client, body, "bad.csv").get_json()
    assert rep["counts"]["accepted"] == 0 and rep["counts"]["refused"] == 2
    texts = " ".join(i["message"] for i in rep["issues"])
    assert "abc" in texts
    resp = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert resp.status_code == 400 and "没有可导入" in resp.get_json()["message_zh"]
    assert client.get("/api/data/versions").get_json()["current"] == 0
    # the downloadable report lists both rows
    x = client.get(f"/api/data/uploads/{rep['upload_id']}/report.csv")
    assert x.status_code == 200 and x.data.decode("utf-8-sig").count("\n") >= 4


@pytest.mark.parametrize("name,content,expect", [
    ("empty.csv", b"", 400), ("x.exe", b"MZ", 400), ("nozip.zip", b"not a zip", 400),
])
def test_broken_files_are_refused(client, app, name, content, expect):
    store = app.extensions["coverplan"]["datasets"]
    fp = store.fingerprint()
    resp = upload(client, content, name)
    assert resp.status_code == expect
    body = resp.get_json()
    assert body["message_zh"] and body["message_en"]
    assert store.fingerprint() == fp


def test_township_shapefile_diff_and_rollback(client, app, shiyan, tmp_path):
    t = shiyan.townships
    code = t.index[5]
    moved = t.loc[[code], ["geometry"]].copy()
    moved["code"] = code
    moved["geometry"] = moved.geometry.apply(lambda g: shapely.affinity.translate(g, 0.002, 0.0))
    shp = tmp_path / "towns"
    shp.mkdir()
    gpd.GeoDataFrame(moved, crs="EPSG:4326").to_file(shp / "towns.shp", encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for f in shp.iterdir():
            z.write(f, f.name)
    rep = upload(client, buf.getvalue(), "乡镇界.zip", kind="townships").get_json()
    assert rep["counts"]["accepted"] == 1, rep
    v = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()["version"]
    region = client.get("/api/region/layers").get_json()
    quality = {f["properties"]["code"]: f["properties"]["geometry_quality"] for f in region["townships"]["features"]}
    assert quality[code] == "official"
    d = client.get(f"/api/data/diff?a=0&b={v}&lang=zh").get_json()
    assert any(t.loc[code, "name"] in line for line in d["lines"])
    back = client.post("/api/data/rollback", json={"version": 0}).get_json()
    assert back["version"] == v + 1
    region = client.get("/api/region/layers").get_json()
    quality = {f["properties"]["code"]: f["properties"]["geometry_quality"] for f in region["townships"]["features"]}
    assert quality[code] != "official"
    versions = client.get("/api/data/versions").get_json()
    assert versions["current"] == v + 1 and [x["version"] for x in versions["versions"]][-1] == 0
    # the rollback's row says what it restored (it read "embedded illustrative data")
    from planner.i18n import t as tr
    top = client.get("/api/data/versions?lang=zh").get_json()["versions"][0]
    assert top["kind"] == "rollback" and top["layer_label"] == f"回退到 v0（{tr('data_kind_townships', 'zh')}）"
    top = client.get("/api/data/versions?lang=en").get_json()["versions"][0]
    assert top["layer_label"] == f"back to v0 ({tr('data_kind_townships', 'en')})"
    # to the current version: nothing would change, no new version
    r = client.post("/api/data/rollback?lang=zh", json={"version": v + 1})
    assert r.status_code == 400 and "已是当前版本" in r.get_json()["message"]
    assert client.get("/api/data/versions").get_json()["current"] == v + 1


def test_bad_parameters(client):
    assert client.post("/api/data/rollback", json={"version": "x"}).status_code == 400
    assert client.post("/api/data/rollback", json={"version": 99}).status_code == 404
    assert client.get("/api/data/diff?a=0&b=x").status_code == 400
    assert client.get("/api/data/uploads/../../etc/report.csv").status_code == 404
    assert client.get("/api/data/uploads/" + "a" * 32 + "/report.csv").status_code == 404
    roads = upload(client, b"a,b\n", "x.csv", kind="roads")
    assert roads.status_code == 400  # named as the upload form labels it, not as a proposal's kind
    assert roads.get_json()["message_zh"].startswith("“数据类别”（kind）")
    bad_gis = upload(client, b"not a layer", "x.geojson", kind="townships")
    assert bad_gis.status_code in (400, 422)
    msg = bad_gis.get_json()["message_zh"]
    assert "文件内容不是可识别的GIS图层" in msg and "It might help" not in msg and "<DRIVER>" not in msg
    assert upload(client, b"a,b\n", "x.csv", coords="utm").status_code == 400
    assert client.post("/api/data/uploads", data={}).status_code == 400
    body = json.loads(client.get("/api/data/versions").data)
    assert body["current"] == 0


def test_a_saved_proposal_keeps_its_data_version(client, app, shiyan):
    first = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 2}).get_json()
    assert first["proposal"]["params"]["dataset_version"] == 0
    body, _ = gcj_register(shiyan)
    rep = upload(client, body.decode("gbk").replace("日间照料中心,", "养老服务综合体,").encode("gbk"), "综合体.csv",
                 coords="gcj02", type="elderly_complex", replace="city").get_json()
    assert client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()["version"] == 1
    second = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 2}).get_json()
    assert second["proposal"]["params"]["dataset_version"] == 1
    old = client.get(f"/api/proposals/{first['proposal']['id']}/layers").get_json()
    new = client.get(f"/api/proposals/{second['proposal']['id']}/layers").get_json()
    assert old["dataset_version"] == 0 and new["dataset_version"] == 1
    # the old proposal's map still shows the register it was solved against
    assert len(old["facilities"]["features"]) == int((shiyan.facilities["facility_type"] == "elderly_complex").sum())
    assert len(new["facilities"]["features"]) == 5


def test_rerun_on_the_current_version_and_compare(client, app, shiyan):
    first = client.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 3,
                                                       "standard_rural": 40}).get_json()["proposal"]
    page = client.get(f"/proposals/{first['id']}?lang=zh").get_data(as_text=True)
    assert 'id="stale-version"' not in page  # solved on the current data
    body, _ = gcj_register(shiyan)
    rep = upload(client, body.decode("gbk").replace("日间照料中心,", "养老服务综合体,").encode("gbk"), "综合体.csv",
                 coords="gcj02", type="elderly_complex").get_json()
    client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    page = client.get(f"/proposals/{first['id']}?lang=zh").get_data(as_text=True)
    assert 'id="stale-version"' in page and "数据版本 v0" in page
    job = client.post(f"/api/proposals/{first['id']}/rerun").get_json()
    assert job["params"]["dataset_version"] == 1 and job["params"]["rerun_of"] == first["id"]
    assert job["params"]["standard"] == {"urban": 15.0, "rural": 40.0} and job["params"]["p"] == 3
    done = app.extensions["coverplan"]["jobs"].wait(job["id"], 60)
    assert done.state == "done"
    second = done.result["proposal_id"]
    cmp = client.get(job["compare"] + second + "&lang=zh")
    assert cmp.status_code == 200 and "v1" in client.get(f"/api/proposals/{second}").get_json()["name"]
    assert client.post("/api/proposals/nope/rerun").status_code == 404


def test_unrecognised_headers_are_mapped_by_hand_and_remembered(client, app):
    content = "设施,种类,东西,南北\n甲中心,日间照料中心,110.80,32.60\n乙中心,日间照料中心,110.90,32.62\n".encode("gbk")
    r = upload(client, content, "自制表.csv")
    assert r.status_code == 422
    e = r.get_json()
    assert e["needs_mapping"] and e["columns"] == ["设施", "种类", "东西", "南北"] and "lon" in e["missing"]
    assert "自制表.csv" in e["message_zh"] and "自制表.csv" in e["message_en"]  # the planner's own file name
    # not checked yet: no report, no confirm
    assert client.get(f"/api/data/uploads/{e['upload_id']}/report.csv").status_code == 404
    assert client.post(f"/api/data/uploads/{e['upload_id']}/confirm").status_code == 400
    cmap = {"name": "设施", "type": "种类", "lon": "东西", "lat": "南北"}
    rep = client.post(f"/api/data/uploads/{e['upload_id']}/recheck", json={"column_map": cmap}).get_json()
    assert rep["counts"]["accepted"] == 2 and rep["columns"]["lon"] == "东西"
    assert client.post(f"/api/data/uploads/{e['upload_id']}/confirm").get_json()["version"] == 1
    # the next file of the same shape is read the same way without asking
    again = upload(client, content.replace("甲中心".encode("gbk"), "丙中心".encode("gbk")), "自制表2.csv")
    assert again.status_code == 200, again.data[:200]
    assert again.get_json()["counts"]["accepted"] == 2 and again.get_json()["column_map_remembered"]
    bad = client.post(f"/api/data/uploads/{e['upload_id']}/recheck", json={"column_map": {"rocket": "x"}})
    assert bad.status_code in (400, 404)


def test_road_network_upload_is_built_in_a_job_and_enables_network_mode(client, app, tmp_path, monkeypatch):
    import sys
    from pathlib import Path

    from geo import settings
    monkeypatch.setattr(settings, "CACHE_DIR", tmp_path / "cache")  # the graph cache stays in the tmp dir
    sys.path.insert(0, str(Path(__file__).parent))
    from osm_fixtures import write_town

    write_town(tmp_path / "town.osm")
    assert 'value="network"' not in client.get("/proposals").get_data(as_text=True)
    resp = upload(client, (tmp_path / "town.osm").read_bytes(), "十堰路网.osm", kind="network")
    assert resp.status_code == 202
    job = app.extensions["coverplan"]["jobs"].wait(resp.get_json()["id"], 120)
    assert job.state == "done", job.error
    assert job.result["version"] == 1 and job.result["nodes"] > 0
    # the result says how much of the region the network reaches: the 1 km test town, a few villages
    assert job.result["villages"] == 1979 and 0 < job.result["villages_near"] < 50
    assert client.get(f"/api/jobs/{job.id}").get_json()["message"] == "完成"   # not the proposals' 保存方案
    v = client.get("/api/data/versions").get_json()
    assert v["current"] == 1 and v["versions"][0]["source_name"] == "十堰路网.osm"
    assert 'value="network"' in client.get("/proposals").get_data(as_text=True)
    body = client.get("/api/coverage/cemetery?mode=network").get_json()
    assert body["mode"] == "network" and body["is_estimate"] is False
    # a broken extract fails the job with a message; the data stay at version 1
    bad = upload(client, b"<osm><node id='1'", "broken.osm", kind="network").get_json()
    failed = app.extensions["coverplan"]["jobs"].wait(bad["id"], 60)
    assert failed.state == "failed" and failed.error["message_zh"]
    assert client.get("/api/data/versions").get_json()["current"] == 1
    assert upload(client, b"x", "roads.csv", kind="network").status_code == 400


def test_upload_size_limits(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "s.sqlite"), "MAX_CONTENT_LENGTH": 1024 * 1024,
                      "MAX_NETWORK_UPLOAD": 3 * 1024 * 1024})
    c = app.test_client()
    big = b"<osm>" + b" " * (2 * 1024 * 1024) + b"</osm>"
    r = upload(c, big, "big.csv")
    assert r.status_code == 413 and "过大" in r.get_json()["message_zh"]
    # a network extract may be larger (its own limit), and is then refused only past that
    r = c.post("/api/data/uploads?kind=network", data={"kind": "network", "file": (io.BytesIO(big), "roads.osm")},
               content_type="multipart/form-data")
    assert r.status_code == 202
    app.extensions["coverplan"]["jobs"].wait(r.get_json()["id"], 60)
    r = c.post("/api/data/uploads?kind=network", data={"kind": "network",
                                                       "file": (io.BytesIO(big * 2), "roads.osm")},
               content_type="multipart/form-data")
    assert r.status_code == 413
    app.extensions["coverplan"]["jobs"].shutdown()


def test_edit_facilities_on_the_map_each_a_version(client, app, shiyan):
    n0 = client.get("/api/coverage/cemetery").get_json()["citywide"]["facilities"]
    town = shiyan.townships.iloc[40]
    p = town.geometry.representative_point()
    r = client.post("/api/data/edits", json={"action": "add", "type": "cemetery", "name": "新建公墓",
                                             "lon": p.x, "lat": p.y, "note": "县局核实"}).get_json()
    assert r["version"] == 1
    layers = client.get("/api/coverage/cemetery/layers").get_json()
    added = [f for f in layers["facilities"]["features"] if f["properties"]["name"] == "新建公墓"]
    assert len(added) == 1 and added[0]["properties"]["township_name"] == town["name"]
    assert layers["summary"]["facilities"] == n0 + 1
    fid = added[0]["properties"]["id"]
    q = shiyan.townships.iloc[41].geometry.representative_point()
    assert client.post("/api/data/edits", json={"action": "move", "type": "cemetery", "id": fid,
                                                "lon": q.x, "lat": q.y}).get_json()["version"] == 2
    assert client.post("/api/data/edits", json={"action": "rename", "type": "cemetery", "id": fid,
                                                "name": "城关公墓"}).get_json()["version"] == 3
    assert client.post("/api/data/edits", json={"action": "remove", "type": "cemetery",
                                                "id": fid}).get_json()["version"] == 4
    versions = client.get("/api/data/versions?lang=zh").get_json()["versions"]
    assert [v["kind"] for v in versions[:4]] == ["edit"] * 4 and "县局核实" in versions[-2]["note"]
    d = client.get("/api/data/diff?a=1&b=2&lang=zh").get_json()
    assert d["facilities"]["moved"] and d["facilities"]["moved"][0]["id"] == fid
    assert client.get("/api/coverage/cemetery").get_json()["citywide"]["facilities"] == n0
    # careless or hostile edits change nothing
    store = app.extensions["coverplan"]["datasets"]
    fp = store.fingerprint()
    for bad in ({"action": "add", "type": "cemetery", "name": "x", "lon": 116.4, "lat": 39.9},
                {"action": "add", "type": "cemetery", "name": "x", "lon": "nan", "lat": 32},
                {"action": "add", "type": "cemetery", "name": "", "lon": p.x, "lat": p.y},
                {"action": "move", "type": "cemetery", "id": "nope", "lon": p.x, "lat": p.y},
                {"action": "explode", "type": "cemetery"}, {"action": "add", "type": "spaceport"}, [1]):
        assert client.post("/api/data/edits", json=bad).status_code in (400, 404), bad
    assert store.fingerprint() == fp


def test_projected_table_with_a_chosen_crs_and_candidates_listed(client, shiyan):
    from pyproj import Transformer
    v = shiyan.villages.iloc[100]
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:4546", always_xy=True).transform(v.geometry.x, v.geometry.y)
    content = f"名称,类型,x,y\n甲中心,日间照料中心,{x:.2f},{y:.2f}\n".encode("utf-8")
    rep = upload(client, content, "投影坐标.csv", crs="4546").get_json()
    assert rep["counts"]["accepted"] == 1, rep
    f = rep["preview"]["features"][0]["geometry"]["coordinates"]
    assert abs(f[0] - v.geometry.x) < 1e-5 and abs(f[1] - v.geometry.y) < 1e-5
    assert upload(client, content, "投影坐标.csv", crs="EPSG:999999").status_code == 400
    # a village name that exists in two townships and no township given: candidates to pick from
    names = shiyan.villages["name"]
    dup = names[names.duplicated(keep=False)].iloc[0]
    rep = upload(client, f"名称,类型,村\n乙中心,日间照料中心,{dup}\n".encode("utf-8"), "按名称.csv").get_json()
    listed = [i for i in rep["issues"] if i["candidates"]]
    assert listed and len(listed[0]["candidates"]) >= 2


def test_reader_errors_never_show_server_paths(client, tmp_path):
    resp = upload(client, b"{}", "乡镇界.geojson", kind="townships")
    assert resp.status_code == 400
    body = resp.get_json()
    assert "乡镇界.geojson" in body["message_zh"]
    for text in (body["message_zh"], body["message_en"]):
        assert "/tmp" not in text and "uploads" not in text and str(tmp_path) not in text


# -- QA sweep of 2026-12-03 ----------------------------------------------------------------------
def test_the_report_says_what_confirming_replaces(client, app, shiyan):
    """A register replaces the type's layer: the report says so before confirming, with counts."""
    body, _ = gcj_register(shiyan, n=3)
    now = len(shiyan.facilities[shiyan.facilities["facility_type"] == "day_care"])
    rep = upload(client, body, "three.csv", coords="gcj02", type="day_care", replace="city").get_json()
    r = rep["replaces"]
    assert r["types"] == [{"type": "day_care", "name": r["types"][0]["name"], "current": now,
                           "synthetic": now, "incoming": 3}]
    assert r["shrinks"] and r["outside_county"] == 0
    assert f"本文件的 3 处" in r["text"] and f"现有的 {now} 处" in r["text"] and "示意" in r["text"]
    en = client.post(f"/api/data/uploads/{rep['upload_id']}/recheck?lang=en", json={}).get_json()["replaces"]
    assert f"replace the {now} now in the register" in en["text"]


def test_two_confirms_at_once_import_once(client, app, shiyan):
    """A double submit: one version, the other request told the upload is already being imported."""
    import threading

    body, _ = gcj_register(shiyan, n=2)
    uid = upload(client, body, "two.csv", coords="gcj02").get_json()["upload_id"]
    answers = []

    def go():
        with app.test_client() as c:
            answers.append(c.post(f"/api/data/uploads/{uid}/confirm"))
    threads = [threading.Thread(target=go) for _ in range(3)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    codes = sorted(a.status_code for a in answers)
    assert codes == [200, 404, 404], [a.data[:200] for a in answers]
    assert all("已导入" in a.get_json()["message_zh"] for a in answers if a.status_code == 404)
    assert client.get("/api/data/versions").get_json()["current"] == 1


def test_a_refused_confirm_keeps_the_upload(client, app):
    body = "名称,类型,经度,纬度\n甲中心,日间照料中心,abc,32.6\n".encode("utf-8")
    uid = upload(client, body, "bad.csv").get_json()["upload_id"]
    for _ in range(2):  # refused (nothing to import), and the file is still there to be told so again
        assert client.post(f"/api/data/uploads/{uid}/confirm").status_code == 400


def test_report_downloads_in_the_language_asked(client, app):
    body = "名称,类型,经度,纬度\n甲中心,日间照料中心,abc,32.6\n".encode("utf-8")
    rep = client.post("/api/data/uploads?lang=en", data={"kind": "facilities", "coords": "wgs84",
                      "file": (io.BytesIO(body), "bad.csv")}, content_type="multipart/form-data").get_json()
    assert "not a number" in rep["issues"][0]["message"]
    text = client.get(f"/api/data/uploads/{rep['upload_id']}/report.csv?lang=zh").data.decode("utf-8-sig")
    head, row = text.splitlines()[1], text.splitlines()[2]
    assert head.split(",")[3:5] == ["问题", "处理办法"]
    assert "not a number" not in row and "abc" in row


def test_stale_uploads_are_swept(client, app, monkeypatch):
    import os
    import time as time_

    from web import data as data_mod
    body = "名称,类型,经度,纬度\n甲中心,日间照料中心,abc,32.6\n".encode("utf-8")
    old = upload(client, body, "old.csv").get_json()["upload_id"]
    root = data_mod.Path(app.config["DATA_DIR"]) / "uploads"
    past = time_.time() - data_mod.UPLOAD_KEEP_SECONDS - 60
    os.utime(root / old / "meta.json", (past, past))
    new = upload(client, body, "new.csv").get_json()["upload_id"]
    assert not (root / old).exists() and (root / new).exists()
    # over the size cap the oldest go first, the newest stays
    monkeypatch.setattr(data_mod, "UPLOADS_MAX_BYTES", 1)
    newest = upload(client, body, "newest.csv").get_json()["upload_id"]
    assert [p.name for p in root.iterdir()] == [newest]


def test_diff_in_english_reads_as_english(client, app, shiyan):
    body, _ = gcj_register(shiyan, n=2)
    uid = upload(client, body, "two.csv", coords="gcj02", type="day_care").get_json()["upload_id"]
    client.post(f"/api/data/uploads/{uid}/confirm")
    lines = client.get("/api/data/diff?a=0&b=1&lang=en").get_json()["lines"]
    removed = next(x for x in lines if "facilities removed" in x)
    assert "、" not in removed and "等" not in removed and " more" in removed
    fac = shiyan.facilities
    one = fac[fac["facility_type"] == "cemetery"].iloc[0]
    v = client.post("/api/data/edits", json={"action": "rename", "type": "cemetery", "id": str(one["id"]),
                                             "name": "新名字公墓"}).get_json()["version"]
    assert client.get(f"/api/data/diff?a={v - 1}&b={v}&lang=en").get_json()["lines"][0].startswith(
        "1 facility renamed or retyped: ")


def test_edit_names_too_long_are_refused_not_cut(client, app, shiyan):
    town = shiyan.townships.iloc[0].geometry.representative_point()
    r = client.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": "长" * 81,
                                             "lon": town.x, "lat": town.y})
    assert r.status_code == 400 and "80" in r.get_json()["message_zh"]
    r = client.post("/api/data/edits", json={"action": "remove", "type": "day_care", "id": ["x"]})
    assert r.status_code == 400 and "['x']" not in r.get_json()["message_zh"]
    r = client.post("/api/data/edits", json={"action": "mark", "type": "day_care", "candidate_id": "x", "mark": "maybe"})
    assert r.status_code in (400, 404) and "'maybe'" not in r.get_json()["message_zh"]
    assert client.get("/api/data/versions").get_json()["current"] == 0


def test_facilities_page_says_how_much_is_still_the_sample(client, app, shiyan):
    total = len(shiyan.facilities)
    html = client.get("/facilities?lang=zh").get_data(as_text=True)
    assert "本名录为合成的示例数据" in html  # all of it, before an import
    body, _ = gcj_register(shiyan, n=2)
    uid = upload(client, body, "two.csv", coords="gcj02", type="day_care").get_json()["upload_id"]
    client.post(f"/api/data/uploads/{uid}/confirm")
    reg = app.extensions["coverplan"]["service"].region.facilities
    now, sample = len(reg), int(reg["synthetic"].astype(bool).sum())
    assert sample == now - 2 and now != total
    html = htmlmod.unescape(client.get("/facilities?lang=en").get_data(as_text=True))
    assert f"{sample:,} of the register's {now:,} facilities are still a synthetic sample" in html


# -- QA re-check of 2026-12-03 ---------------------------------------------------------------------
def test_a_file_of_another_type_than_the_form_says_is_refused_row_by_row(client, app, shiyan):
    body, _ = gcj_register(shiyan, n=2)  # its type column says 日间照料中心
    rep = upload(client, body, "two.csv", coords="gcj02", type="cemetery").get_json()
    assert rep["counts"]["accepted"] == 0 and rep["counts"]["refused"] == 2
    mism = [i for i in rep["issues"] if i["code"] == "type_mismatch"]
    assert len(mism) == 2 and all(i["row"] for i in mism) and "城乡公益性公墓" in mism[0]["message"]
    assert rep["replaces"] is None  # nothing to replace with
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code == 400 and "facilities:" not in r.get_json()["message_zh"]


def test_renames_and_names_in_edits(client, app, shiyan):
    fac = shiyan.facilities
    one = fac[fac["facility_type"] == "cemetery"].iloc[0]
    r = client.post("/api/data/edits", json={"action": "rename", "type": "cemetery", "id": str(one["id"]),
                                             "name": "长" * 81})
    assert r.status_code == 400 and "设施名称" in r.get_json()["message_zh"] and "方案" not in r.get_json()["message_zh"]
    r = client.post("/api/data/edits", json={"action": "rename", "type": "cemetery", "id": str(one["id"]),
                                             "name": str(one["name"])})
    assert r.status_code == 400 and "无需修改" in r.get_json()["message_zh"]
    assert client.get("/api/data/versions").get_json()["current"] == 0  # no empty version


def test_an_expired_upload_says_why(client, app):
    r = client.post(f"/api/data/uploads/{'0' * 32}/confirm")
    assert r.status_code == 404 and "一天内未确认" in r.get_json()["message_zh"]


def test_a_json_proposal_sent_as_text_plain_is_told_the_content_type(client):
    r = client.post("/api/proposals", data=json.dumps({"type": "day_care", "p": 3}), content_type="text/plain")
    assert r.status_code == 400 and "Content-Type: application/json" in r.get_json()["message_zh"]


def test_the_facility_export_of_planner_rows_is_not_called_synthetic(client, app, shiyan):
    body, _ = gcj_register(shiyan, n=2)
    uid = upload(client, body, "two.csv", coords="gcj02", type="day_care", replace="city").get_json()["upload_id"]
    client.post(f"/api/data/uploads/{uid}/confirm")
    own = client.get("/api/facilities.csv?type=day_care").data.decode("utf-8-sig").splitlines()[0]
    sample = client.get("/api/facilities.csv?type=cemetery").data.decode("utf-8-sig").splitlines()[0]
    assert "示意" not in own and "示意" in sample


def test_a_type_the_register_lacks_is_added_not_replaced(client, app, shiyan, monkeypatch):
    body, _ = gcj_register(shiyan, n=2)
    svc = app.extensions["coverplan"]["service"]
    fac = svc.region.facilities
    monkeypatch.setattr(svc.region, "facilities", fac[fac["facility_type"] != "day_care"])
    rep = upload(client, body, "two.csv", coords="gcj02", type="day_care").get_json()["replaces"]
    assert rep["types"][0]["current"] == 0 and not rep["shrinks"]
    assert "目前没有此类设施" in rep["text"] and "替换" not in rep["text"]


def test_the_report_says_which_sheet_of_a_workbook_was_read_and_refuses_one_a_county(client, shiyan):
    import pandas as pd

    v = shiyan.villages.iloc[:2]
    rows = pd.DataFrame({"名称": ["甲站", "乙站"], "类型": ["日照中心"] * 2,
                         "经度": v.geometry.x.values, "纬度": v.geometry.y.values})
    buf = io.BytesIO()
    with pd.ExcelWriter(buf) as xl:
        pd.DataFrame([["说明"]]).to_excel(xl, sheet_name="说明", index=False, header=False)
        rows.to_excel(xl, sheet_name="日照", index=False)
    r = upload(client, buf.getvalue(), "reg.xlsx")
    assert r.status_code == 200 and r.get_json()["notes"] == ["读取工作表“日照”（其余工作表没有可导入的数据：说明）"]
    buf = io.BytesIO()
    with pd.ExcelWriter(buf) as xl:
        rows.iloc[:1].to_excel(xl, sheet_name="茅箭区", index=False)
        rows.iloc[1:].to_excel(xl, sheet_name="张湾区", index=False)
    r = upload(client, buf.getvalue(), "reg.xlsx")
    assert r.status_code == 400 and "“茅箭区”（1 行）、“张湾区”（1 行）" in r.get_json()["message"]


def test_an_upload_note_follows_the_rule_of_an_edit_note(client, shiyan):
    """An upload note was cut at 200 characters and kept U+202E and NUL (the version list then showed it
    reversed) while an edit's note refuses them (QA 14)."""
    v = shiyan.villages.iloc[0]
    csv = f"名称,类型,经度,纬度\n甲站,日照中心,{v.geometry.x},{v.geometry.y}\n".encode()
    for note, said in (("abc\u202edef", "U+202E"), ("a\x00b", "U+0000"), ("很" * 201, "200")):
        r = upload(client, csv, "reg.csv", note=note)
        assert r.status_code == 400 and said in r.get_json()["message"], r.get_json()
    r = upload(client, csv, "reg.csv", note="县局核实\n第二行")
    assert r.status_code == 200


def test_an_empty_kind_is_refused_not_taken_for_a_register(client, shiyan):
    v = shiyan.villages.iloc[0]
    csv = f"名称,类型,经度,纬度\n甲站,日照中心,{v.geometry.x},{v.geometry.y}\n".encode()
    r = upload(client, csv, "reg.csv", kind="")
    assert r.status_code == 400 and "kind" in r.get_json()["message"]


def test_a_huge_register_gets_a_sampled_preview_and_a_plausibility_warning(client, app, shiyan, monkeypatch):
    """A 188,388-row register sent every point to the page (a 51 MB answer) and passed as 188388 welfare
    homes against 69 without a word (QA 14)."""
    import web.data as data_mod

    monkeypatch.setattr(data_mod, "PREVIEW_MAX", 50)
    v = shiyan.villages.geometry
    rows = "".join(f"福利院{i},农村福利院,{v.iloc[i % 300].x},{v.iloc[i % 300].y}\n" for i in range(1200))
    body = upload(client, ("名称,类型,经度,纬度\n" + rows).encode(), "big.csv", type="welfare_home").get_json()
    assert body["counts"]["accepted"] == 1200 and body["preview_total"] == 1200
    assert len(body["preview"]["features"]) == 50
    text = " ".join(body["replaces"]["lines"]) if "lines" in body["replaces"] else json.dumps(body["replaces"],
                                                                                             ensure_ascii=False)
    assert "1,200 处" in text and "是否每行一处设施" in text, text


def test_a_confirm_after_another_change_is_refused_and_checked_again(client, app, shiyan):
    """A report said "replaces the 473 now"; another planner then added one, and the confirm replaced
    the layer, his facility included, without anyone seeing it (QA 15). Now the confirm of a report made
    on an older version is a 409; a recheck gives the report on the current data, and that one confirms."""
    body, _ = gcj_register(shiyan, n=2, seed=11)
    rep = upload(client, body, "late.csv", coords="gcj02", type="day_care", replace="city").get_json()
    uid, before = rep["upload_id"], rep["replaces"]["types"][0]["current"]
    p = shiyan.townships.iloc[12].geometry.representative_point()
    added = client.post("/api/data/edits", json={"action": "add", "type": "day_care", "name": "刚加的中心",
                                                 "lon": p.x, "lat": p.y})
    assert added.status_code == 200
    v = added.get_json()["version"]
    r = client.post(f"/api/data/uploads/{uid}/confirm")
    assert r.status_code == 409, r.data[:300]
    e = r.get_json()
    assert e["details"]["recheck"] and e["details"]["current"] == v and "未导入任何内容" in e["message"]
    assert client.get("/api/data/versions").get_json()["current"] == v  # nothing written
    again = client.post(f"/api/data/uploads/{uid}/recheck", json={}).get_json()
    assert again["replaces"]["types"][0]["current"] == before + 1  # the new one is in what it replaces
    r = client.post(f"/api/data/uploads/{uid}/confirm")
    assert r.status_code == 200 and r.get_json()["version"] == v + 1


def test_the_register_export_reimports_with_its_capacities(client, app, shiyan):
    """Export -> re-import dropped every bed count (the export's 容量 column was not read back), kept the
    apostrophe guarding a name that starts with '=', and the diff called it one rename (QA 15)."""
    import pandas as pd

    pts = shiyan.villages.iloc[[3, 40, 80]]
    lines = ["名称,类型,经度,纬度,床位数"] + [f"{n},农村福利院,{g.x:.6f},{g.y:.6f},{b}" for n, g, b in
                                          zip(["甲福利院", "=乙福利院", "丙福利院"], pts.geometry, [60, 45, 30])]
    rep = upload(client, ("\n".join(lines) + "\n").encode(), "wh.csv", type="welfare_home").get_json()
    v1 = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()["version"]
    for fmt in ("csv", "xlsx"):
        exported = client.get(f"/api/facilities.{fmt}?type=welfare_home")
        assert exported.status_code == 200
        again = upload(client, exported.data, f"back.{fmt}", type="welfare_home").get_json()
        assert again["counts"]["refused"] == 0, again["issues"][:3]
        # the same data under another file name, with the export's 来源 and 示意 columns: said before the
        # confirm, and the confirm makes no version the diff would call "no difference"
        assert again["identical"] and again["identical"]["version"] == v1, again["identical"]
        r = client.post(f"/api/data/uploads/{again['upload_id']}/confirm")
        assert r.status_code == 400 and "完全相同" in r.get_json()["message"], r.data[:300]
    fac = app.extensions["coverplan"]["service"].region.facilities
    wh = fac[fac["facility_type"] == "welfare_home"].set_index("name")
    assert wh.loc["甲福利院", "beds"] == 60 and wh.loc["=乙福利院", "beds"] == 45 and wh.loc["丙福利院", "beds"] == 30
    cur = client.get("/api/data/versions").get_json()["current"]
    d = client.get(f"/api/data/diff?a={v1}&b={cur}").get_json()
    assert not d["facilities"]["changed"] and not d["facilities"]["capacity"], d["facilities"]
    # a capacity that changed is listed, with its numbers
    edited = pd.read_csv(io.BytesIO(client.get("/api/facilities.csv?type=welfare_home").data), dtype=str,
                         skiprows=1, encoding="utf-8-sig")  # (a title line above the header)
    cap = next(c for c in edited.columns if c.startswith("容量") and "单位" not in c)
    edited.loc[edited["名称"] == "甲福利院", cap] = ""
    edited.loc[edited["名称"] == "丙福利院", cap] = "40"
    last = upload(client, edited.to_csv(index=False).encode("utf-8-sig"), "edited.csv", type="welfare_home").get_json()
    v3 = client.post(f"/api/data/uploads/{last['upload_id']}/confirm").get_json()["version"]
    d = client.get(f"/api/data/diff?a={cur}&b={v3}").get_json()
    caps = {r["name"]: (r["before"], r["after"]) for r in d["facilities"]["capacity"]}
    assert caps == {"甲福利院": (60, None), "丙福利院": (30, 40)}
    assert any("容量变化的设施 2 处（其中 1 处变为未知）" in line for line in d["lines"]), d["lines"]


def test_an_imported_register_is_not_called_the_sample(client, app, shiyan):
    """After a bureau's own welfare-home register was imported, the map note, the upgrade and sizing notes,
    the capacity notes and the offline map still called its facilities and capacities synthetic (QA 15)."""
    pts = shiyan.villages.iloc[[5, 50, 90, 120]]
    lines = ["名称,类型,经度,纬度,床位数"] + [f"院{i},农村福利院,{g.x:.6f},{g.y:.6f},{40 + i}" for i, g in enumerate(pts.geometry)]
    rep = upload(client, ("\n".join(lines) + "\n").encode(), "own.csv", type="welfare_home", replace="city").get_json()
    assert client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
    layers = client.get("/api/coverage/welfare_home/layers").get_json()
    assert layers["facilities_synthetic"] is False and layers["townships_approximate"] is True
    cap = client.get("/api/capacity/welfare_home").get_json()
    assert cap["capacities_synthetic"] is False and not any("示例名录" in n for n in cap["notes"])
    up = client.get("/api/upgrades/welfare_home?k=2").get_json()
    assert not any("现有设施容量与人口分解为示意" in n for n in up["notes"]), up["notes"]
    assert any("容量取自已导入的名录" in n for n in up["notes"])
    html = client.get("/map/welfare_home/export.html?lang=zh").get_data(as_text=True)
    assert "乡镇边界为近似" in html and "村庄位置为合成数据" in html and "设施名录为合成数据" not in html
    # the sample of another type is still said to be the sample
    other = client.get("/api/coverage/day_care/layers").get_json()
    assert other["facilities_synthetic"] is True


def test_a_facility_added_on_the_map_is_given_its_beds_in_the_popup(client, app, shiyan):
    """The popup edited address, operator, phone and remark only: a facility added on the map stayed at
    'capacity unknown', which the bed and upgrade answers then had to leave out (QA 15)."""
    p = shiyan.townships.iloc[30].geometry.representative_point()
    r = client.post("/api/data/edits", json={"action": "add", "type": "welfare_home", "name": "新增福利院",
                                             "lon": p.x, "lat": p.y}).get_json()
    layers = client.get("/api/coverage/welfare_home/layers").get_json()
    new = next(f["properties"] for f in layers["facilities"]["features"] if f["properties"]["name"] == "新增福利院")
    assert new["capacity"] is None and layers["capacity_unit"] == "张床位"
    before = client.get("/api/capacity/welfare_home").get_json()["citywide"]["supply"]
    ok = client.post("/api/data/edits", json={"action": "update", "type": "welfare_home", "id": new["id"],
                                              "fields": {"capacity": "60"}})
    assert ok.status_code == 200, ok.data[:300]
    layers = client.get("/api/coverage/welfare_home/layers").get_json()
    new = next(f["properties"] for f in layers["facilities"]["features"] if f["properties"]["id"] == new["id"])
    assert new["capacity"] == 60
    assert client.get("/api/capacity/welfare_home").get_json()["citywide"]["supply"] == before + 60
    d = client.get(f"/api/data/diff?a={r['version']}&b={ok.get_json()['version']}").get_json()
    assert d["facilities"]["capacity"][0]["after"] == 60 and any("容量" in line for line in d["lines"])
    for bad in ("1.5", "-3", "1e999", "abc", [1], 100000):
        r = client.post("/api/data/edits", json={"action": "update", "type": "welfare_home", "id": new["id"],
                                                 "fields": {"capacity": bad}})
        assert r.status_code == 400, (bad, r.data[:200])
    # blank: back to unknown; a type that counts no capacity refuses one
    assert client.post("/api/data/edits", json={"action": "update", "type": "welfare_home", "id": new["id"],
                                                "fields": {"capacity": ""}}).status_code == 200
    no_cap = next(t["key"] for t in client.get("/api/types").get_json() if not t.get("capacity"))
    feats = client.get(f"/api/coverage/{no_cap}/layers").get_json()["facilities"]["features"]
    assert client.post("/api/data/edits", json={"action": "update", "type": no_cap, "id": feats[0]["properties"]["id"],
                                                "fields": {"capacity": "5"}}).status_code == 400


def test_a_register_without_a_type_column_is_told_to_pick_the_type(client, app, shiyan):
    """Every header was understood, yet the page said 未能识别表头 and asked which column is the type
    (QA 15): the answer is a 400 pointing at the type field, with the types by name."""
    g = shiyan.villages.iloc[7].geometry
    body = f"名称,经度,纬度\n甲中心,{g.x:.6f},{g.y:.6f}\n".encode()
    r = upload(client, body, "notype.csv")
    assert r.status_code == 400 and not r.get_json().get("needs_mapping")
    msg = r.get_json()["message"]
    assert "没有说明设施类型的列" in msg and "“设施类型”" in msg and "农村福利院" in msg and "welfare_home" not in msg
    en = client.post("/api/data/uploads?lang=en", data={"kind": "facilities", "coords": "wgs84",
                                                         "file": (io.BytesIO(body), "notype.csv")},
                     content_type="multipart/form-data").get_json()["message"]
    assert "Facility type field" in en and "Rural welfare home" in en
    assert upload(client, body, "notype.csv", type="day_care").status_code == 200


def test_the_footer_names_what_is_still_illustrative(client, app):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert "Illustrative (approximate or synthetic): Townships" in page and "<footer>" in page


def test_a_cemetery_register_with_niches_reimports_without_a_false_loss(client, app, shiyan):
    """The import keeps 格位 (niches) beside the plots that already count them; the export writes the plots
    only, so its re-import listed every cemetery as 'plots -> unknown' (review of QA 15)."""
    pts = shiyan.villages.iloc[[11, 61]]
    lines = ["名称,类型,经度,纬度,墓穴数,格位数"] + [f"公墓{i},城乡公益性公墓,{g.x:.6f},{g.y:.6f},{300 + i},{100}"
                                             for i, g in enumerate(pts.geometry)]
    rep = upload(client, ("\n".join(lines) + "\n").encode(), "cem.csv", type="cemetery", replace="city").get_json()
    v1 = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").get_json()["version"]
    again = upload(client, client.get("/api/facilities.csv?type=cemetery").data, "cem_back.csv", type="cemetery",
                   replace="city").get_json()
    v2 = client.post(f"/api/data/uploads/{again['upload_id']}/confirm").get_json()["version"]
    d = client.get(f"/api/data/diff?a={v1}&b={v2}").get_json()
    assert d["facilities"]["capacity"] == [], d["facilities"]["capacity"]
    fac = app.extensions["coverplan"]["service"].region.facilities
    assert sorted(fac[fac["facility_type"] == "cemetery"]["plots"]) == [400, 401]


def test_a_type_column_under_another_header_can_still_be_mapped(client, app, shiyan):
    g = shiyan.villages.iloc[8].geometry
    body = f"名称,经度,纬度,设施种类\n乙中心,{g.x:.6f},{g.y:.6f},日间照料中心\n".encode()
    r = upload(client, body, "kinds.csv")
    assert r.status_code == 422 and r.get_json()["needs_mapping"] and "设施种类" in r.get_json()["columns"]
    uid = r.get_json()["upload_id"]
    ok = client.post(f"/api/data/uploads/{uid}/recheck", json={"column_map": {"type": "设施种类"}})
    assert ok.status_code == 200 and ok.get_json()["counts"]["accepted"] == 1


def test_the_bed_notes_name_the_types_still_sample_after_one_is_imported(client, app, shiyan):
    pts = shiyan.villages.iloc[[6, 60]]
    lines = ["名称,类型,经度,纬度,床位数"] + [f"院{i},农村福利院,{g.x:.6f},{g.y:.6f},{50 + i}" for i, g in enumerate(pts.geometry)]
    rep = upload(client, ("\n".join(lines) + "\n").encode(), "wh2.csv", type="welfare_home", replace="city").get_json()
    assert client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
    beds = client.get("/api/beds?target=100").get_json()
    note = beds["notes_zh"][0]
    assert "现有床位中" in note and "农村福利院" not in note and "其余取自已导入的名录" in note, note
    assert "the imported register's for the others" in beds["notes_en"][0]


def test_the_footer_says_how_many_facility_types_are_still_the_sample(client, app, shiyan):
    g = shiyan.villages.iloc[9].geometry
    rep = upload(client, f"名称,类型,经度,纬度\n院,农村福利院,{g.x:.6f},{g.y:.6f}\n".encode(), "one.csv",
                 type="welfare_home", replace="city").get_json()
    assert client.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 200
    page = client.get("/?lang=zh").get_data(as_text=True)
    # every type counts, those the sample has no facility of too, as the overview's sources line (QA 21)
    n = len(app.extensions["coverplan"]["service"].types())
    assert n == 12 and f"设施（{n} 类中 {n - 1} 类仍为示例）" in page
