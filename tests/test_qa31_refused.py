"""QA 31 (fixer F2): a refused row keeps the facility it lists; a county planner's refused file replaces nothing.

1. Confirming a register whose rows for two saved facilities were refused for a typo (乡镇代码 420325999, a
   longitude NaN) deleted those facilities: the version held 6 of 房县's 8 welfare homes, and the report said only
   that the county's facilities "not in the file" would leave. A refused row that stands for a current facility
   (its id, else the id the register would give it: same type, county and name) now keeps that facility as it is,
   with its own source and data version, in the browser's confirm and in ``coverplan data import --partial``
   alike; the report (page, API, download) names them. A refused row that stands for none is not imported.
2. A county planner's file with rows outside his county said "this file's 0 welfare homes replace the 13 now in
   房县" beside "the confirm will be refused": a file refused as a whole says only why.
"""
from __future__ import annotations

import io
import json

import pytest

from test_f9_report import xlsx_summary
from test_qa21_cli import run
from test_qa27_provenance import upload
from web.app import create_app

FANG, ZHUSHAN = "420325", "420323"


@pytest.fixture()
def app(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def var(tmp_path, monkeypatch):
    from geo import settings

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    return tmp_path / "var"


def homes(region, county: str = FANG, n: int = 8) -> list:
    v = region.villages
    return list(v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == county)].iloc[:n].itertuples())


def register(region, bad: dict | None = None, moved: bool = False, extra: str = "", county: str = FANG) -> bytes:
    """房县's eight welfare homes (名称, 乡镇代码, 经度, 纬度). ``bad``: {row index: "code" (乡镇代码 420325999),
    "lon" (经度 NaN) or "both" (420325999 and 经度 inf)}; ``moved``: the first one 100 m east; ``extra``: a ninth
    home of that name whose 乡镇代码 is wrong too (a new facility refused)."""
    bad = bad or {}
    rows = ["名称,乡镇代码,经度,纬度"]
    pts = homes(region, county)
    for i, p in enumerate(pts):
        code = "420325999" if bad.get(i) in ("code", "both") else p.township_code
        lon = {"lon": "NaN", "both": "inf"}.get(bad.get(i), f"{p.geometry.x + (0.001 if moved and i == 0 else 0):.6f}")
        rows.append(f"房县{i}号福利院,{code},{lon},{p.geometry.y:.6f}")
    if extra:
        rows.append(f"{extra},420325999,{pts[-1].geometry.x + 0.002:.6f},{pts[-1].geometry.y:.6f}")
    return ("\n".join(rows) + "\n").encode("utf-8")


def post(c, body: bytes, name: str, lang: str):
    r = c.post(f"/api/data/uploads?lang={lang}", content_type="multipart/form-data",
               data={"kind": "facilities", "coords": "wgs84", "type": "welfare_home", "file": (io.BytesIO(body), name)})
    assert r.status_code == 200, r.data[:400]
    return r.get_json()


def fang_homes(c) -> dict:
    rows = c.get("/api/facilities?type=welfare_home&lang=en").get_json()["rows"]
    return {r["name"]: r["source"] for r in rows if r["name"].startswith("房县")}


KEPT = {"zh": "被拒绝的行所对应的 3 处现有设施将按现状保留：房县2号福利院（第 4 行）、房县5号福利院（第 7 行）、房县6号福利院（第 8 行）。",
        "en": "3 facilities whose rows were refused are kept as they are now: 房县2号福利院 (row 4), 房县5号福利院 (row 7), "
              "房县6号福利院 (row 8)."}


def test_a_confirm_keeps_the_facilities_whose_rows_were_refused(app):
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    first = upload(c, register(region), "v1.csv", type="welfare_home").get_json()
    assert first["counts"]["accepted"] == 8
    assert c.post(f"/api/data/uploads/{first['upload_id']}/confirm").get_json()["version"] == 1
    body = register(region, {2: "code", 5: "lon", 6: "both"}, moved=True, extra="房县新建福利院")
    for lang in ("en", "zh"):  # the zh upload is the one confirmed
        rep = post(c, body, "v2.csv", lang)
        assert (rep["counts"]["accepted"], rep["counts"]["refused"]) == (5, 4), rep["counts"]
        text = rep["replaces"]["text"]
        # named, and not counted among those replaced: 5 replace the 5 others now in 房县
        assert KEPT[lang] in text, text
        assert ("以 5 处替换该县区现有的 5 处" if lang == "zh" else "replace the 5 now in that county") in text, text
        assert [k["name"] for k in rep["replaces"]["refused_kept"]] == ["房县2号福利院", "房县5号福利院", "房县6号福利院"]
        assert "房县新建福利院" not in text  # a refused row standing for no facility: not imported, as before
    for lang in ("zh", "en"):  # the report's download says it too, in the language asked
        said = dict(xlsx_summary(c.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx?lang={lang}").data,
                                 "校验报告" if lang == "zh" else "Validation report")[0])
        assert KEPT[lang] in said["确认导入将替换" if lang == "zh" else "Confirming replaces"], said
    done = c.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert done.status_code == 200, done.data[:400]
    assert done.get_json()["version"] == 2
    assert [k["row"] for k in done.get_json()["refused_kept"]] == [4, 7, 8]
    now = fang_homes(c)
    assert sorted(now) == [f"房县{i}号福利院" for i in range(8)], sorted(now)  # 8, not 5; the new one not imported
    for i in range(8):  # the kept ones with their own file and version, not the new file's
        want = "v1.csv, data version 1" if i in (2, 5, 6) else "v2.csv, data version 2"
        assert want in now[f"房县{i}号福利院"], (i, now[f"房县{i}号福利院"])


def test_the_command_line_partial_import_keeps_them_too(var, tmp_path, capsys, shiyan):
    from geo.datasets import default_db_path

    v1, v2 = tmp_path / "v1.csv", tmp_path / "v2.csv"
    v1.write_bytes(register(shiyan))
    v2.write_bytes(register(shiyan, {2: "code", 5: "lon", 6: "both"}, moved=True, extra="房县新建福利院"))
    code, _, err = run(capsys, "data", "import", "facilities", str(v1), "--type", "welfare_home")
    assert code == 0, err
    code, out, _ = run(capsys, "--lang", "en", "data", "import", "facilities", str(v2), "--type", "welfare_home",
                       "--dry-run")
    assert code == 0 and KEPT["en"] in out, out
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "facilities", str(v2), "--type", "welfare_home",
                         "--partial", "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["version"] == 2 and KEPT["zh"] in got["scope_text"], got["scope_text"]
    assert [k["row"] for k in got["scope"][0]["refused_kept"]] == [4, 7, 8]
    app = create_app({"DB_PATH": str(default_db_path()), "TESTING": True})
    try:
        now = fang_homes(app.test_client())
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    assert sorted(now) == [f"房县{i}号福利院" for i in range(8)], sorted(now)
    for i in range(8):
        want = "v1.csv, data version 1" if i in (2, 5, 6) else "v2.csv, data version 2"
        assert want in now[f"房县{i}号福利院"], (i, now[f"房县{i}号福利院"])


@pytest.mark.parametrize("mixed", [False, True], ids=["all-outside", "one-row-in-his-county"])
def test_a_county_planners_file_refused_as_a_whole_says_no_replace(tmp_path, shiyan, mixed):
    from accounts import accounts_app, signed_in

    app = accounts_app(tmp_path, (("fang", "planner", FANG),))
    try:
        c = signed_in(app, "fang")
        pts = homes(shiyan, ZHUSHAN, 3)
        body = "名称,经度,纬度\n" + "".join(f"竹山{i}号福利院,{p.geometry.x:.6f},{p.geometry.y:.6f}\n"
                                         for i, p in enumerate(pts))
        if mixed:
            p = homes(shiyan, FANG, 1)[0]
            body += f"房县一号福利院,{p.geometry.x:.6f},{p.geometry.y:.6f}\n"
        for lang in ("zh", "en"):
            rep = post(c, body.encode("utf-8"), "竹山.csv", lang)
            assert rep["blocked"] and rep["counts"]["outside_county"] == 3
            text = rep["replaces"]["text"]
            if lang == "zh":
                assert "替换" not in text and "确认后" not in text and "有 3 行不在您可修改的 房县" in text, text
            else:
                assert "replace" not in text and "On confirm" not in text and "3 rows lie outside" in text, text
            said = dict(xlsx_summary(c.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx?lang={lang}").data,
                                     "校验报告" if lang == "zh" else "Validation report")[0])
            shown = " ".join(str(v) for v in said.values())
            assert ("现有的" not in shown and "回退" not in shown) if lang == "zh" else \
                ("now in the register" not in shown and "rollback" not in shown.lower()), said
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
