"""QA 29: a register imported for one county carries the other counties' facilities of the type over unchanged
(``replace=counties``), and now their provenance too: each carried row keeps the data version and file it came in,
where the carrying import credited them to itself (its file, its version) on the facilities page, the map popup
and the exports."""
from __future__ import annotations

import pytest

from test_qa27_provenance import upload
from web.app import create_app


@pytest.fixture()
def app(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def register_of(region, county: str, n: int, tag: str) -> bytes:
    """``n`` day-care centres at villages of ``county``, named after ``tag``."""
    v = region.villages[(region.villages["kind"] == "village")
                        & (region.villages["township_code"].astype(str).str[:6] == county)].iloc[:n]
    rows = ["名称,类型,经度,纬度"] + [f"{tag}{i}号日间照料中心,day_care,{p.x:.6f},{p.y:.6f}"
                                     for i, p in enumerate(v.geometry)]
    return ("\n".join(rows) + "\n").encode("utf-8")


def confirm(c, content: bytes, name: str, type_key: str = "day_care") -> int:
    """Upload ``content`` as a register of ``type_key`` and confirm it: the version made."""
    r = upload(c, content, name, type=type_key)
    assert r.status_code == 200, r.get_json()
    r = c.post(f"/api/data/uploads/{r.get_json()['upload_id']}/confirm")
    assert r.status_code in (200, 201), r.get_json()
    return r.get_json()["version"]


def test_rows_carried_over_keep_the_version_and_file_they_came_in(app):
    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    v1 = confirm(c, register_of(region, "420325", 3, "甲"), "fang.csv")
    v2 = confirm(c, register_of(region, "420322", 2, "乙"), "yunxi.csv")
    assert (v1, v2) == (1, 2)
    rows = c.get("/api/facilities?type=day_care&lang=en").get_json()["rows"]
    fang = [r for r in rows if r["name"].startswith("甲")]
    xi = [r for r in rows if r["name"].startswith("乙")]
    assert len(fang) == 3 and len(xi) == 2
    for r in fang:
        assert "fang.csv, data version 1" in r["source"] and "yunxi.csv" not in r["source"], r["source"]
    for r in xi:
        assert "yunxi.csv, data version 2" in r["source"] and "fang.csv" not in r["source"], r["source"]


def test_english_register_hints_name_the_types_and_the_page_choice(app):
    """The English report listed bare type keys and said "use coords gcj02" (the command line's words)."""
    c = app.test_client()
    # 乙站 about 3 km west of the region (a datum's offset may be it; Beijing's 900 km is not: tests/test_f4_register_ids.py)
    csv = "名称,类型,经度,纬度\n甲站,日照,110.74,32.05\n乙站,day_care,109.40,33.15\n".encode("utf-8")
    r = c.post("/api/data/uploads?lang=en", data={"kind": "facilities", "coords": "wgs84",
                                                   "file": (__import__("io").BytesIO(csv), "mixed.csv")},
               content_type="multipart/form-data")
    issues = r.get_json()["issues"]
    fixes = {i["code"]: i["fix"] for i in issues}
    assert "day_care (Community/village day-care centre)" in fixes["unknown_type"], fixes
    outside = next(f for code, f in fixes.items() if "gcj02" in f)
    assert "set the coordinate system to gcj02 (the page's coordinate choice, or --coords gcj02)" in outside, outside


def test_the_summary_lines_name_every_file_the_register_came_in(app):
    """After 房县's import (v1) and 郧西县's (v2) every summary line named only yunxi.csv (QA 29)."""
    import html

    c = app.test_client()
    region = app.extensions["coverplan"]["service"].region
    confirm(c, register_of(region, "420325", 3, "甲"), "fang.csv")
    confirm(c, register_of(region, "420322", 2, "乙"), "yunxi.csv")
    for lang, want in (("zh", ("fang.csv，数据版本 1", "yunxi.csv，数据版本 2")),
                       ("en", ("fang.csv, data version 1", "yunxi.csv, data version 2"))):
        page = html.unescape(c.get(f"/map/day_care?lang={lang}").get_data(as_text=True))
        said = page.split('data-approx-facilities="')[1].split('"')[0]
        assert all(w in said for w in want), said
        assert said.index(want[0]) < said.index(want[1]), said
        assert (f"{want[0]}; {want[1]}" if lang == "en" else f"{want[0]}；{want[1]}") in said, said
