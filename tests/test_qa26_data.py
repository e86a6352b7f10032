"""QA 26 (data): the CLI's imports and the web's, on the same files.

1. `data import --dry-run` of a file with swapped lon/lat said "6 accepted, 0 refused ... Would change: facilities
   added: 6" (exit 0) while the same import without --dry-run refused the file. The rule kept: a row refused or
   corrected automatically stops a CLI import unless --partial (the web's Confirm, given after the report, is
   that choice); the dry run now says so, and with --partial both faces import the same corrected points.
2. A version made by `coverplan data import` kept no validation report (the version list said report: null, its
   report.xlsx was 404), while a web-made version keeps one.
3. An upload of a village file with a facility type took the type without a word (recheck refuses it).
4. A recheck with "type": null switched the upload to the file's type column.
5. 1e3 where a data version goes was "expected a data version number" (rollback, diff) or echoed as 1000.0 (an
   edit's base), while the CLI reads it as 1000.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from test_qa21_cli import run


@pytest.fixture()
def var(tmp_path, monkeypatch):
    from geo import settings

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    return tmp_path / "var"


@pytest.fixture()
def fresh_app(tmp_path):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "web" / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _points(shiyan, n: int, start: int = 0) -> list:
    return [shiyan.villages.geometry.iloc[start + 7 * i] for i in range(n)]


def _swapped(tmp_path: Path, shiyan) -> Path:
    """Six cemeteries with their longitude and latitude in each other's column (QA's reg_swap.csv)."""
    rows = "".join(f"公墓{i},公墓,{p.y:.6f},{p.x:.6f}\n" for i, p in enumerate(_points(shiyan, 6)))
    f = tmp_path / "reg_swap.csv"
    f.write_text("名称,类型,经度,纬度\n" + rows, "utf-8")
    return f


def _partial(tmp_path: Path, shiyan) -> Path:
    """Six good cemeteries and one row without coordinates (QA's reg_partial.csv)."""
    rows = "".join(f"公墓新{i},公墓,{p.x:.6f},{p.y:.6f},某路{i}号\n" for i, p in enumerate(_points(shiyan, 6, 3)))
    f = tmp_path / "reg_partial.csv"
    f.write_text("名称,类型,经度,纬度,地址\n" + rows + "坏行,公墓,abc,xyz,\n", "utf-8")
    return f


# -- 1. the dry run says what the import will do ------------------------------------------------------------------
def test_a_dry_run_says_a_file_with_corrected_rows_would_be_refused(var, tmp_path, capsys, shiyan):
    f = str(_swapped(tmp_path, shiyan))
    for lang, said, but in (("en", "nothing would be imported", "Would change"),
                            ("zh", "整个文件不会导入", "将产生的变化")):
        code, out, err = run(capsys, "--lang", lang, "data", "import", "facilities", f, "--type", "cemetery",
                             "--dry-run")
        assert code == 0, err
        assert said in out, out
        # what it would change is said only for --partial, and the corrected rows as the import says them
        assert f"--partial" in out.split(said, 1)[1], out
        assert ("not corrected here" if lang == "en" else "此处不自动改正") in out, out
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", f, "--type", "cemetery",
                         "--dry-run", "--json")
    got = json.loads(out)
    assert got["blocked"]["rows"] == [2, 3, 4, 5, 6, 7], got.get("blocked")
    assert "nothing would be imported" in got["blocked"]["text"]
    # the import itself refuses it, as the dry run said
    code, _, err = run(capsys, "--lang", "en", "data", "import", "facilities", f, "--type", "cemetery")
    assert code == 2 and "nothing was imported" in err, err
    # with --partial the dry run and the import agree the other way
    code, out, _ = run(capsys, "--lang", "en", "data", "import", "facilities", f, "--type", "cemetery",
                       "--dry-run", "--partial", "--json")
    assert json.loads(out)["blocked"] is None
    code, out, _ = run(capsys, "--lang", "en", "data", "import", "facilities", f, "--type", "cemetery",
                       "--dry-run", "--partial")
    assert "nothing would be imported" not in out and "Would change" in out and "read the other way round" in out


def test_cli_partial_and_web_confirm_import_the_same_corrected_points(var, tmp_path, capsys, shiyan, fresh_app):
    f = _swapped(tmp_path, shiyan)
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(f), "--type", "cemetery",
                         "--partial", "--json")
    assert code == 0, err
    assert json.loads(out)["counts"]["accepted"] == 6
    from geo.datasets import default_db_path

    c = fresh_app.test_client()
    r = c.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
               data={"kind": "facilities", "type": "cemetery", "file": (io.BytesIO(f.read_bytes()), f.name)})
    assert r.status_code == 200, r.data[:300]
    assert r.get_json()["counts"]["accepted"] == 6
    assert c.post(f"/api/data/uploads/{r.get_json()['upload_id']}/confirm").status_code == 200
    web = {(x["name"], x["lon"], x["lat"]) for x in c.get("/api/facilities?type=cemetery").get_json()["rows"]
           if x["name"].startswith("公墓")}
    from web.app import create_app

    cli_app = create_app({"DB_PATH": str(default_db_path()), "TESTING": True})
    try:
        cli = {(x["name"], x["lon"], x["lat"])
               for x in cli_app.test_client().get("/api/facilities?type=cemetery").get_json()["rows"]
               if x["name"].startswith("公墓")}
    finally:
        cli_app.extensions["coverplan"]["jobs"].shutdown()
    assert len(web) == 6 and cli == web


# -- 2. a CLI import keeps its report -------------------------------------------------------------------------------
def test_a_cli_import_keeps_its_report_as_the_web_does(var, tmp_path, capsys, shiyan, fresh_app):
    from openpyxl import load_workbook

    f = _partial(tmp_path, shiyan)
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(f), "--type", "cemetery",
                         "--partial", "--json")
    assert code == 0, err
    version = json.loads(out)["version"]
    kept = var / "reports" / f"v{version}"
    cli_issues = json.loads((kept / "issues.json").read_text("utf-8"))
    meta = json.loads((kept / "meta.json").read_text("utf-8"))
    from geo.datasets import sha256_file

    assert meta["sha256"] == sha256_file(f) and meta["original"] == f.name
    assert meta["counts"]["refused"] == 1 and meta["counts"]["accepted"] == 6
    # the same file through the web: the same report, issue for issue, key for key
    c = fresh_app.test_client()
    r = c.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
               data={"kind": "facilities", "type": "cemetery", "file": (io.BytesIO(f.read_bytes()), f.name)})
    assert r.status_code == 200, r.data[:300]
    web_version = c.post(f"/api/data/uploads/{r.get_json()['upload_id']}/confirm").get_json()["version"]
    web_kept = Path(fresh_app.config["DATA_DIR"]) / "reports" / f"v{web_version}"
    assert cli_issues == json.loads((web_kept / "issues.json").read_text("utf-8"))
    assert meta["counts"] == json.loads((web_kept / "meta.json").read_text("utf-8"))["counts"]
    # the web app on the CLI's database lists it and serves it, in both languages
    from geo.datasets import default_db_path
    from web.app import create_app

    app = create_app({"DB_PATH": str(default_db_path()), "TESTING": True})
    try:
        c = app.test_client()
        row = next(x for x in c.get("/api/data/versions?lang=en").get_json()["versions"] if x["version"] == version)
        assert row["report"] == f"/api/data/versions/{version}/report.xlsx", row
        assert "1 row refused, see the report" in row["note"], row["note"]
        for lang, error in (("en", "error"), ("zh", "错误")):
            body = c.get(f"/api/data/versions/{version}/report.xlsx?lang={lang}")
            assert body.status_code == 200, body.data[:300]
            ws = load_workbook(io.BytesIO(body.data)).active
            cells = [str(x.value) for r_ in ws.iter_rows() for x in r_ if x.value is not None]
            assert any("abc" in x for x in cells) and error in cells, cells
            text = c.get(f"/api/data/versions/{version}/report.csv?lang={lang}").get_data().decode("utf-8-sig")
            assert ("is not a number" in text) == (lang == "en") and "abc" in text, text
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    # a backup takes it as it takes the web's
    from geo.backup import backup

    manifest = backup(default_db_path(), out=tmp_path / "b.zip")
    assert version in manifest["reports"], manifest.get("reports")


def test_a_village_import_keeps_its_report_too(var, tmp_path, capsys, shiyan):
    codes = list(shiyan.villages.index[:2])
    g = shiyan.villages.geometry
    f = tmp_path / "v.csv"
    f.write_text("code,lon,lat\n" + "".join(f"{c},{g[c].x + 0.001:.6f},{g[c].y:.6f}\n" for c in codes)
                 + "999999999999,110.8,32.6\n", "utf-8")
    code, out, err = run(capsys, "data", "import", "villages", str(f), "--partial", "--json")
    assert code == 0, err
    kept = var / "reports" / f"v{json.loads(out)['version']}"
    issues = json.loads((kept / "issues.json").read_text("utf-8"))
    assert any(i["severity"] == "error" and "999999999999" in i["message"] for i in issues), issues
    assert all({"message", "fix", "message_zh", "message_en"} <= set(i) for i in issues)


def test_a_dry_run_keeps_no_report(var, tmp_path, capsys, shiyan):
    code, _, err = run(capsys, "data", "import", "facilities", str(_partial(tmp_path, shiyan)), "--type", "cemetery",
                       "--partial", "--dry-run")
    assert code == 0, err
    assert not (var / "reports").exists()


# -- 3. an upload's type is for a register only ----------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["villages", "townships"])
def test_an_upload_refuses_a_type_for_a_file_that_is_no_register(fresh_app, kind, shiyan):
    c = fresh_app.test_client()
    code = shiyan.villages.index[0]
    body = f"code,lon,lat\n{code},110.8,32.6\n".encode()
    r = c.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
               data={"kind": kind, "type": "cemetery", "file": (io.BytesIO(body), "v.csv")})
    assert r.status_code == 400, r.data[:300]
    got = r.get_json()
    assert got["details"]["parameter"] == "type"
    assert got["message_en"] == 'Bad parameter type (Facility type) = "cemetery": expected no type: only a ' \
                                "facility register has one.", got["message_en"]
    assert "只有设施名录有设施类型" in got["message_zh"]
    assert not list((Path(fresh_app.config["DATA_DIR"]) / "uploads").glob("*/meta.json"))
    # the page's empty type passes
    r = c.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
               data={"kind": "villages", "type": "", "file": (io.BytesIO(body), "v.csv")})
    assert r.status_code == 200, r.data[:300]


# -- 4. a recheck's type sent as null -----------------------------------------------------------------------------
def test_a_recheck_type_sent_as_null_is_refused_and_keeps_the_type(fresh_app, shiyan, tmp_path):
    c = fresh_app.test_client()
    f = _partial(tmp_path, shiyan)
    r = c.post("/api/data/uploads?lang=en", content_type="multipart/form-data",
               data={"kind": "facilities", "type": "cemetery", "file": (io.BytesIO(f.read_bytes()), f.name)})
    uid = r.get_json()["upload_id"]
    r = c.post(f"/api/data/uploads/{uid}/recheck?lang=en", json={"type": None})
    assert r.status_code == 400, r.get_json()
    got = r.get_json()
    assert got["details"]["parameter"] == "type" and "sent as null" in got["message_en"], got
    assert "null" in got["message_zh"]
    r = c.post(f"/api/data/uploads/{uid}/recheck?lang=en", json={})
    assert r.status_code == 200 and r.get_json()["type"] == "cemetery" and \
        r.get_json()["layer"] == "facilities:cemetery", r.get_json()


# -- 5. 1e3 is 1000 where a version number goes ------------------------------------------------------------------------
def test_a_version_written_1e3_is_version_1000(fresh_app):
    c = fresh_app.test_client()
    for body in ({"version": "1e3"}, {"version": 1e3}, {"version": "1000."}):
        r = c.post("/api/data/rollback?lang=en", json=body)
        assert r.status_code == 404, (body, r.get_json())
        assert "1000" in r.get_json()["message_en"] and "1000.0" not in r.get_json()["message_en"]
    r = c.get("/api/data/diff?a=1e3&b=0&lang=en")
    assert r.status_code == 404 and "“1000”" in r.get_json()["message_en"], r.get_json()
    assert c.get("/api/data/diff?a=0e3&b=0.").status_code == 200
    assert c.get("/api/data/diff?a=2.5&b=0").status_code == 400
    assert c.post("/api/data/rollback", json={"version": 2.5}).status_code == 400
    r = c.post("/api/data/edits?lang=en", json={"action": "remove", "type": "cemetery", "id": "x", "base": 1e3})
    assert r.status_code == 400 and r.get_json()["details"]["parameter"] == "base", r.get_json()
    assert "= 1000:" in r.get_json()["message_en"] or "=1000:" in r.get_json()["message_en"], r.get_json()
    assert "1000.0" not in r.get_json()["message_en"]
    # a whole number written so is still one where it names a version that exists
    p = fresh_app.extensions["coverplan"]["service"].region.townships.iloc[3].geometry.representative_point()
    v = c.post("/api/data/edits", json={"action": "add", "type": "cemetery", "name": "QA26", "lon": p.x,
                                        "lat": p.y}).get_json()["version"]
    assert c.get(f"/api/data/diff?a=0&b={v}e0").status_code == 200
    r = c.post("/api/data/rollback", json={"version": 0e3})
    assert r.status_code == 200 and r.get_json()["rolled_back_to"] == 0, r.get_json()
