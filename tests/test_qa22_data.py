"""QA 22 (data versions and imports): a township code with a digit lost was called "unknown"; a proposal
solved on v0 was called outdated after a rollback to v0 (the same data)."""
from __future__ import annotations

import pytest

from geo.regions import load_region
from planner.register import validate_register
from browser import browser, page, poll_js, server  # noqa: F401,E402  (fixtures)


@pytest.fixture(scope="module")
def shiyan():
    return load_region("shiyan")


def test_a_township_code_with_a_digit_lost_says_so(shiyan, tmp_path):
    path = tmp_path / "r.csv"
    g = shiyan.villages.geometry.iloc[3]
    path.write_text("名称,设施类型,乡镇代码,经度,纬度\n"
                    f"少一位,农村福利院,42032510,{g.x:.6f},{g.y:.6f}\n"
                    f"未知,农村福利院,420399101,{g.x:.6f},{g.y:.6f}\n", "utf-8")
    report = validate_register(path, region=shiyan)
    by_row = {i.row: i for i in report.issues if i.code == "unknown_township_code"}
    assert "有 8 位数字，应为 9 位" in by_row[2].message_zh, by_row[2]
    assert "has 8 digits; it should have 9" in by_row[2].message_en
    assert "未知的乡镇代码" in by_row[3].message_zh  # nine digits, no such township: unknown
    assert report.refused_rows == [2, 3]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_detect_says_the_points_were_read_as_wgs84_when_nothing_told_otherwise(page, shiyan, tmp_path, lang):
    """A whole register from Amap (GCJ-02, ~550 m off) was accepted under "detect" with no word: the shift
    seldom takes a point out of its township, so nothing was found. The report now says how the points were
    read and what to choose if they came from Amap, Tencent or Baidu."""
    from planner.i18n import t

    rows = "\n".join(f"站{i},慈善工作站点,{g.x + 0.0053:.6f},{g.y - 0.0022:.6f}"
                     for i, g in enumerate(shiyan.villages.geometry.iloc[20:30]))
    f = tmp_path / "amap.csv"
    f.write_text("名称,类型,经度,纬度\n" + rows + "\n", "utf-8")
    page.goto(page.base + f"/data?lang={lang}")
    for coords, shown in (("auto", True), ("wgs84", False), ("gcj02", False)):
        page.select_option("#u-coords", coords)
        page.set_input_files("#u-file", str(f))
        page.click("#u-check")
        poll_js(page, "document.getElementById('report').dataset.ready === '1'")
        assert page.locator("#r-coords-assumed").is_visible() is shown, coords
        if shown:
            assert page.inner_text("#r-coords-assumed") == t("data_coords_assumed", lang)
        page.evaluate("document.getElementById('report').dataset.ready = ''")


def test_a_rollback_holds_the_same_data_as_the_version_it_restores(tmp_path, monkeypatch):
    from geo import settings
    from geo.datasets import DatasetStore
    from web.service import Service

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    store = DatasetStore(tmp_path / "var" / "proposals.sqlite", region="shiyan")
    f = store.layers()["facilities"]
    store.commit_layer("facilities:day_care", f[f["facility_type"] == "day_care"].iloc[:6])  # v1
    assert store.rollback(0) == 2
    assert store.same_data(0, 2) and store.same_data(2, 0) and store.same_data(1, 1)
    assert not store.same_data(0, 1) and not store.same_data(1, 2)
    assert not store.same_data(0, 99)  # no such version
    service = Service("shiyan", datasets=store)
    # a proposal solved on v0 is on the current data (v2 restored v0's files); one on v1 is not
    assert service.is_current(0) and service.is_current(2) and not service.is_current(1)
    assert not service.is_current("x") and not service.is_current(99)


def test_a_proposal_on_the_data_a_rollback_restored_is_not_outdated(tmp_path):
    """After an import (v1) and a rollback to v0 (v2, the same files), a proposal solved on v0 was called
    outdated on its page, its brief and the saved list, and the planner re-solved it for nothing."""
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    client = app.test_client()
    try:
        r = client.post("/api/proposals?wait=120", json={"type": "charity_station", "model": "mclp", "p": 2})
        assert r.status_code == 201, r.data[:300]
        pid = r.get_json()["proposal"]["id"]
        store = app.extensions["coverplan"]["service"].datasets
        f = store.layers()["facilities"]
        # v1: the proposal's own type's register (QA 32: an edit of another type's leaves it current)
        cs = f[f["facility_type"] == "charity_station"].copy()
        cs["name"] = cs["name"].astype(str) + "（改）"
        store.commit_layer("facilities:charity_station", cs)

        def outdated() -> dict:
            page = client.get(f"/proposals/{pid}?lang=en").get_data(as_text=True)
            brief = client.get(f"/proposals/{pid}/brief?lang=en").get_data(as_text=True)
            rows = client.get("/api/proposals?lang=en").get_json()
            row = next(p for p in (rows["proposals"] if isinstance(rows, dict) else rows) if p["id"] == pid)
            return {"page": 'id="stale-version"' in page, "targets": 'id="targets-version-note"' in page,
                    "brief": 'id="brief-outdated"' in brief, "list": row["outdated"]}

        assert outdated() == {"page": True, "targets": True, "brief": True, "list": True}
        assert store.rollback(0) == 2
        assert outdated() == {"page": False, "targets": False, "brief": False, "list": False}
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_version_diff_tells_facilities_of_one_name_apart_by_county():
    from web.data import diff_lines

    rows = [{"id": "a", "name": "城关镇养老服务综合体", "township_code": "420325100"},
            {"id": "b", "name": "城关镇养老服务综合体", "township_code": "420323100"},
            {"id": "c", "name": "青山镇养老服务综合体", "township_code": "420304100"}]
    counties = {"420325": "房县", "420323": "竹山县", "420304": "郧阳区"}
    zh = diff_lines({"facilities": {"added": rows}}, "zh", counties)[0]
    assert zh == "新增设施 3 处：城关镇养老服务综合体（房县）、城关镇养老服务综合体（竹山县）、青山镇养老服务综合体", zh
    en = diff_lines({"facilities": {"added": rows}}, "en",
                    {"420325": "Fang County", "420323": "Zhushan County", "420304": "Yunyang District"})[0]
    assert "城关镇养老服务综合体 (Fang County), 城关镇养老服务综合体 (Zhushan County), 青山镇养老服务综合体" in en
    assert diff_lines({"facilities": {"added": rows}}, "zh")[0].count("（") == 0  # no county names: as before


@pytest.mark.parametrize("datum, convert", [("bd09", "wgs_bd"), ("gcj02", "wgs_gcj")])
def test_a_register_exported_again_through_another_datum_is_told_by_its_ids(shiyan, tmp_path, datum, convert):
    """A bureau's register of current facilities, exported again through Baidu (or Amap) maps, keeps its ids;
    read as WGS84 each point lay 1.2 km (0.5 km) off its current place, and the township test could not tell."""
    import prcoords

    fac = shiyan.facilities[shiyan.facilities["facility_type"] == "day_care"].iloc[:12]
    lines = []
    for _, f in fac.iterrows():
        lat, lon = getattr(prcoords, convert)((f.geometry.y, f.geometry.x))
        lines.append(f"{f['id']},{f['name']},日间照料中心,{lon:.6f},{lat:.6f}")
    path = tmp_path / "again.csv"
    path.write_text("编号,名称,类型,经度,纬度\n" + "\n".join(lines) + "\n", "utf-8")
    report = validate_register(path, region=shiyan)
    assert report.datum_suggestion and report.datum_suggestion["datum"] == datum, report.datum_suggestion
    said = next(i for i in report.issues if i.code == "datum_suggestion")
    assert "12 处设施与现有名录编号相同" in said.message_zh and "12 facilities" in said.message_en
    assert report.datum_suggestion["median_m_after"] < 5
    # declared, it reads right and nothing is suggested
    again = validate_register(path, region=shiyan, coords=datum)
    assert again.datum_suggestion is None


def test_a_register_whose_facilities_really_moved_is_not_taken_for_another_datum(shiyan, tmp_path):
    fac = shiyan.facilities[shiyan.facilities["facility_type"] == "day_care"].iloc[:12]
    lines = [f"{f['id']},{f['name']},日间照料中心,{f.geometry.x + (0.01 if i % 2 else -0.008):.6f},"
             f"{f.geometry.y + (0.004 if i % 3 else -0.006):.6f}" for i, (_, f) in enumerate(fac.iterrows())]
    path = tmp_path / "moved.csv"
    path.write_text("编号,名称,类型,经度,纬度\n" + "\n".join(lines) + "\n", "utf-8")
    assert validate_register(path, region=shiyan).datum_suggestion is None


@pytest.mark.parametrize("head", ["村代码", "村（社区）代码", "行政区划代码"])
def test_a_village_file_headed_as_statistics_tables_head_it_is_read(shiyan, tmp_path, head):
    """A village file with its code column headed 村代码 (or 村（社区）代码, 行政区划代码) was refused with "no
    column code"; a village file has no column-mapping step to fix it on."""
    from geo.imports import check_villages

    v = shiyan.villages.iloc[:5]
    lines = [f"{code},{g.x:.6f},{g.y:.6f}" for code, g in zip(v.index, v.geometry)]
    path = tmp_path / "villages.csv"
    path.write_text(f"{head},经度,纬度\n" + "\n".join(lines) + "\n", "utf-8")
    got = check_villages(shiyan, path)
    assert sorted(got["code"].astype(str)) == sorted(v.index.astype(str))
