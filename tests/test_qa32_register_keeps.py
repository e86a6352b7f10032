"""QA 32 (fixer FA): a register without a capacity (address, phone ...) column keeps the current facilities' values.

A file with no 床位 column (the register's export cut to its first 12 columns, a bureau's list without beds)
replaced 13 welfare homes with 13 of unknown beds: the report said "warnings 0, notes []" and the diff after the
confirm "容量变化的设施 13 处（其中 13 处变为未知）". A row standing for a current facility (its id, else the id the
register gives it by type, county and name) now keeps that facility's value of each attribute the file has no
column for, a new facility has it unknown, and the report says so before the confirm, in both languages, on the
page and in ``coverplan data import``. A column the file has keeps its meaning (a blank cell is unknown). A value
kept of a sample (示意) facility keeps its row labelled sample data.
"""
from __future__ import annotations

import csv
import io
import json

import pytest

from test_qa21_cli import run
from test_qa27_provenance import upload
from web.app import create_app

FANG = "420325"
BEDS = [10, 20, 30, 40, 50, 60, 70, None]  # the eighth home's beds unknown in v1


def homes(region, n: int = 10) -> list:
    v = region.villages
    return list(v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == FANG)].iloc[:n].itertuples())


def register(region, *, beds: list | None = BEDS, phone: bool = True, new: int = 0) -> bytes:
    """房县's eight welfare homes (名称, 乡镇代码, 经度, 纬度, 地址 and, when given, 床位数 and 联系电话), and ``new``
    homes more that are not in the register."""
    pts = homes(region)
    head = "名称,乡镇代码,经度,纬度,地址" + (",床位数" if beds is not None else "") + (",联系电话" if phone else "")
    rows = [head]
    for i, p in enumerate(pts[:8 + new]):
        name = f"房县{i}号福利院" if i < 8 else f"房县新建{i}号福利院"
        cells = [name, p.township_code, f"{p.geometry.x:.6f}", f"{p.geometry.y:.6f}", f"{name}路{i}号"]
        if beds is not None:
            v = beds[i] if i < len(beds) else None
            cells.append("" if v is None else str(v))
        if phone:
            cells.append(f"0719-32{i:05d}")
        rows.append(",".join(cells))
    return ("\n".join(rows) + "\n").encode("utf-8")


def check(c, body: bytes, name: str, lang: str = "zh") -> dict:
    if lang == "zh":
        r = upload(c, body, name, type="welfare_home")
    else:
        r = c.post(f"/api/data/uploads?lang={lang}", content_type="multipart/form-data",
                   data={"kind": "facilities", "coords": "wgs84", "type": "welfare_home",
                         "file": (io.BytesIO(body), name)})
    assert r.status_code == 200, r.data[:600]
    return r.get_json()


def confirmed(c, rep: dict) -> dict:
    r = c.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()


def fang_rows(c) -> dict:
    rows = c.get("/api/facilities?type=welfare_home&lang=zh").get_json()["rows"]
    return {r["name"]: r for r in rows if r["name"].startswith("房县")}


KEPT = {"zh": ["文件没有床位（容量）列：8 处现有设施保留原床位（共 280 张；其中 1 处原即未知），2 处新设施床位未知。",
               "文件没有联系电话列：8 处现有设施保留原有的联系电话，2 处新设施没有这些信息。"],
        "en": ["the file has no beds (capacity) column: 8 current facilities keep their beds (280 in all; 1 of them "
               "has none known), 2 new facilities have beds unknown.",
               "the file has no column for phone: 8 current facilities keep their values, 2 new facilities have none."]}


def test_a_file_without_the_beds_column_keeps_the_current_beds(app):
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    assert confirmed(c, check(c, register(region), "v1.csv"))["version"] == 1
    before = fang_rows(c)
    assert [before[f"房县{i}号福利院"]["capacity"] for i in range(8)] == BEDS
    body = register(region, beds=None, phone=False, new=2)
    for lang in ("en", "zh"):  # the report says it before the confirm, in the page's language
        rep = check(c, body, "v2.csv", lang)
        assert rep["counts"]["accepted"] == 10 and rep["counts"]["warnings"] == 0, rep["counts"]
        assert rep["notes"] == KEPT[lang], rep["notes"]
    done = confirmed(c, rep)
    assert done["version"] == 2
    now = fang_rows(c)
    assert len(now) == 10
    for i in range(8):  # kept: the beds and the phone of v1; the address as the file has it
        r = now[f"房县{i}号福利院"]
        assert r["capacity"] == BEDS[i] and r["phone"] == f"0719-32{i:05d}", r
        assert r["address"] == f"房县{i}号福利院路{i}号" and r["synthetic"] is False
        assert "v2.csv，数据版本 2" in r["source"], r["source"]
    for i in (8, 9):  # new facilities: unknown, as the report said
        r = now[f"房县新建{i}号福利院"]
        assert r["capacity"] is None and not r["phone"], r
    # nothing of the report's "8 keep their beds" lost at the confirm: the diff lists no capacity change
    d = c.get("/api/data/diff?a=1&b=2&lang=zh").get_json()
    assert d["facilities"]["capacity"] == [] and d["facilities"]["attributes"] == [], d["lines"]
    assert len(d["facilities"]["added"]) == 2
    # where the kept values came from: v1's file, not v2's
    fac = app.extensions["coverplan"]["service"].region.facilities
    kept = fac[fac["name"].astype(str).str.match(r"房县\d号福利院")]
    assert set(kept["kept_from_file"]) == {"v1.csv"} and set(kept["kept_from_version"]) == {1.0}
    assert set(kept["kept_fields"]) == {"beds,phone", "phone"}  # the eighth had no beds to keep


def test_a_file_with_the_beds_column_still_sets_them_blanks_unknown(app):
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    assert confirmed(c, check(c, register(region), "v1.csv"))["version"] == 1
    beds = [None, 99, 30, 40, 50, 60, 70, 80]  # the first blank: unknown now; the second and the last changed
    for lang in ("zh", "en"):
        rep = check(c, register(region, beds=beds), "v2.csv", lang)
        assert rep["notes"] == [], rep["notes"]
    assert confirmed(c, rep)["version"] == 2
    now = fang_rows(c)
    assert [now[f"房县{i}号福利院"]["capacity"] for i in range(8)] == beds
    d = c.get("/api/data/diff?a=1&b=2&lang=zh").get_json()
    assert sorted((r["name"], r["before"], r["after"]) for r in d["facilities"]["capacity"]) == \
        [("房县0号福利院", 10.0, None), ("房县1号福利院", 20.0, 99.0), ("房县7号福利院", None, 80.0)]


def sample_export(c, cut: int = 12, rename: bool = False) -> bytes:
    """The register's own export of the welfare homes, 房县's rows, cut to its first ``cut`` columns (示意 and
    容量 dropped): the tester's file. ``rename``: the first home renamed (so that the file changes something)."""
    text = c.get("/api/facilities.csv?type=welfare_home&lang=zh").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "编号")
    keep = [rows[head][:cut]] + [r[:cut] for r in rows[head + 1:] if len(r) > 5 and r[5] == "房县"]
    if rename:
        keep[1][1] = "房县城关福利院"
    buf = io.StringIO()
    csv.writer(buf).writerows(keep)
    return buf.getvalue().encode("utf-8")


def test_the_sample_registers_export_without_its_capacity_column_keeps_the_sample_beds_labelled(app):
    c = app.test_client()
    before = {r["id"]: r for r in c.get("/api/facilities?type=welfare_home&county=420325").get_json()["rows"]}
    before = {k: r for k, r in before.items() if r["county_code"] == FANG}
    assert len(before) == 13 and all(r["synthetic"] for r in before.values())
    total = sum(r["capacity"] for r in before.values())
    rep = check(c, sample_export(c), "fang.csv")
    # kept, and said so; the rows stay sample data as the facilities they stand for were (no "imported as the
    # planner's own" warning): the file is then the data as it is, and confirming makes no version
    assert rep["notes"] == [f"文件没有床位（容量）列：13 处现有设施保留原床位（共 {total:,} 张）。",
                            "13 处设施沿用的是示意设施的数据：导入后仍标为示意数据。"], rep["notes"]
    assert rep["counts"]["warnings"] == 0 and rep["identical"]["version"] == 0, rep["counts"]
    en = check(c, sample_export(c), "fang.csv", "en")
    assert en["notes"] == [f"the file has no beds (capacity) column: 13 current facilities keep their beds "
                           f"({total:,} in all).",
                           "13 facilities keep values of sample (示意) facilities: once imported they stay labelled "
                           "synthetic (示意)."], en["notes"]
    # a change made in the file (a name): the version keeps the beds, labelled 示意 as before
    rep = check(c, sample_export(c, rename=True), "fang2.csv")
    assert rep["identical"] is None
    assert confirmed(c, rep)["version"] == 1
    after = {r["id"]: r for r in c.get("/api/facilities?type=welfare_home").get_json()["rows"] if r["id"] in before}
    assert {k: (r["capacity"], r["synthetic"]) for k, r in after.items()} == \
        {k: (r["capacity"], True) for k, r in before.items()}
    d = c.get("/api/data/diff?a=0&b=1&lang=zh").get_json()
    assert d["facilities"]["capacity"] == [] and len(d["facilities"]["changed"]) == 1, d["lines"]


@pytest.fixture()
def var(tmp_path, monkeypatch):
    from geo import settings

    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var"))
    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    return tmp_path / "var"


def test_the_command_line_import_says_it_and_keeps_them_too(var, tmp_path, capsys, shiyan):
    from geo.datasets import default_db_path

    v1, v2 = tmp_path / "v1.csv", tmp_path / "v2.csv"
    v1.write_bytes(register(shiyan))
    v2.write_bytes(register(shiyan, beds=None, phone=False, new=2))
    code, _, err = run(capsys, "data", "import", "facilities", str(v1), "--type", "welfare_home")
    assert code == 0, err
    code, out, err = run(capsys, "--lang", "en", "data", "import", "facilities", str(v2), "--type", "welfare_home",
                         "--dry-run")
    assert code == 0, err
    for note in KEPT["en"]:
        assert note[:1].upper() + note[1:] in err, err
    code, out, err = run(capsys, "--lang", "zh", "data", "import", "facilities", str(v2), "--type", "welfare_home",
                         "--json")
    assert code == 0, err
    got = json.loads(out)
    assert got["version"] == 2 and [n[0] for n in got["notes"]] == KEPT["zh"], got.get("notes")
    assert all(n in err for n in KEPT["zh"]), err
    app = create_app({"DB_PATH": str(default_db_path()), "TESTING": True})
    try:
        now = fang_rows(app.test_client())
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    assert [now[f"房县{i}号福利院"]["capacity"] for i in range(8)] == BEDS
    assert [now[f"房县{i}号福利院"]["phone"] for i in range(8)] == [f"0719-32{i:05d}" for i in range(8)]
    assert now["房县新建8号福利院"]["capacity"] is None and now["房县新建9号福利院"]["capacity"] is None


def test_a_mapping_that_reads_no_capacity_column_keeps_the_beds_too(app):
    """The mapping card's 容量 set to "—": the file has no capacity column as read, so the facilities keep theirs
    (the file's 床位数 is not taken), as for a file without one: here nothing changes at all."""
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    assert confirmed(c, check(c, register(region), "v1.csv"))["version"] == 1
    rep = check(c, register(region, beds=[1, 2, 3, 4, 5, 6, 7, 8]), "v2.csv")
    assert rep["notes"] == [] and rep["identical"] is None
    r = c.post(f"/api/data/uploads/{rep['upload_id']}/recheck?lang=zh", json={"column_map": {"capacity": ""}})
    assert r.status_code == 200, r.get_json()
    again = r.get_json()
    assert again["notes"] == ["文件没有床位（容量）列：8 处现有设施保留原床位（共 280 张；其中 1 处原即未知）。"], again["notes"]
    assert again["identical"]["version"] == 1
