"""QA 33 (fixer F3): a register's status column and a row carrying another facility's id.

1. ``status`` (状态: a closed row is left out and its facility leaves the register) was recognised by its header
   but could not be mapped by hand: a status column under an odd header (在办情况) was read as nothing. It is now
   among the mapping's fields (planner.register_columns.MAPPABLE: the web's mapping card, ``--column``).
2. A row carrying a current facility's id under another facility's name, far from it (the id column pasted one row
   off: the id of 城关敬老院 on the row of 武当敬老院, 12 km away) took that facility over without a word: it is now
   warned of, naming both and the distance, and refused where the file lists that facility by its name on another
   row. A rename in place, or a rename and a move of 300 m, says nothing.
"""
from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from geo.crs import lonlat_to_metric
from planner.register import one_facility_names, validate_register
from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run

FANG = "420325"
HEAD = "编号,名称,类型,经度,纬度"


def table(head: str, rows: list) -> bytes:
    return ("\n".join([head] + [",".join(str(c) for c in r) for r in rows]) + "\n").encode("utf-8")


# -- 1. status in the column mapping ---------------------------------------------------------------------------------
def welfare_rows(region, status: list[str]) -> list[list]:
    v = region.villages
    pts = v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == FANG)].geometry.iloc[:len(status)]
    return [[f"ST-{k + 1:03d}", f"房县{k + 1}号福利院", "农村福利院", f"{p.x:.6f}", f"{p.y:.6f}", s]
            for k, (p, s) in enumerate(zip(pts, status))]


def test_status_is_a_field_the_mapping_offers():
    from cli.data import COLUMN_FIELDS
    from planner.i18n import t
    from planner.register_columns import MAPPABLE

    assert "status" in MAPPABLE and "status" in COLUMN_FIELDS
    assert t("data_field_status", "zh").startswith("状态") and t("data_field_status", "en").startswith("status")


def test_a_status_column_under_an_odd_header_is_read_when_mapped(shiyan, tmp_path):
    f = tmp_path / "odd.csv"
    f.write_bytes(table(HEAD + ",在办情况", welfare_rows(shiyan, ["正常", "已关闭", "在用"])))
    plain = validate_register(f, region=shiyan, coords="wgs84")
    assert "status" not in plain.column_map and plain.counts["accepted"] == 3  # not recognised by itself
    rep = validate_register(f, region=shiyan, coords="wgs84", column_map={"status": "在办情况"})
    assert rep.column_map["status"] == "在办情况"
    assert rep.closed_rows == [3] and rep.counts["accepted"] == 2
    assert set(rep.accepted["name"]) == {"房县1号福利院", "房县3号福利院"}


def test_the_command_line_maps_a_status_column(var, tmp_path, capsys):  # noqa: F811
    from geo.regions import load_region

    src = tmp_path / "odd.csv"
    src.write_bytes(table(HEAD + ",在办情况", welfare_rows(load_region("shiyan"), ["正常", "停用", "在用"])))
    code, out, err = run(capsys, "data", "import", "facilities", str(src), "--dry-run", "--json",
                         "--column", "status=在办情况")
    assert code == 0, err
    res = json.loads(out)
    assert res["read"]["columns"]["status"] == "在办情况"
    assert res["counts"]["accepted"] == 2 and res["counts"].get("refused", 0) == 0, res["counts"]


def test_the_web_recheck_takes_a_status_mapping(app, shiyan):
    from test_qa27_provenance import upload

    c = app.test_client()
    r = upload(c, table(HEAD + ",在办情况", welfare_rows(shiyan, ["正常", "撤并", "在用"])), "odd.csv")
    assert r.status_code == 200, r.get_data()[:500]
    again = c.post(f"/api/data/uploads/{r.get_json()['upload_id']}/recheck?lang=zh",
                   json={"column_map": {"status": "在办情况"}})
    assert again.status_code == 200, again.get_data()[:500]
    body = again.get_json()
    assert body["columns"].get("status") == "在办情况"
    assert body["counts"]["accepted"] == 2, body["counts"]


# -- 2. a current facility's id on another facility's row ------------------------------------------------------------
@pytest.fixture(scope="module")
def homes():
    """A region whose register holds three welfare homes of 房县 (WH-001 城关敬老院 at A, WH-002 武当敬老院 at B, over
    10 km off, WH-003 at D), and the points: {"A", "B", "D", "A300" (300 m east of A)}."""
    from geo.regions import load_region

    shiyan = load_region("shiyan")
    v = shiyan.villages
    v = v[(v["kind"] == "village") & (v["township_code"].astype(str).str[:6] == FANG)]
    a = v.geometry.iloc[0]
    x, y = lonlat_to_metric(v.geometry.x.to_numpy(), v.geometry.y.to_numpy())
    d = np.hypot(x - x[0], y - y[0])
    b = v.geometry.iloc[int(np.flatnonzero((d > 10_000) & (d < 15_000))[0])]
    far = v.geometry.iloc[int(np.flatnonzero(d > 20_000)[0])]
    east = 1 / (111_320 * np.cos(np.radians(a.y)))
    pts = {"A": (a.x, a.y), "B": (b.x, b.y), "D": (far.x, far.y), "A300": (a.x + 300 * east, a.y)}
    return shiyan, pts


def region_with(homes, tmp_path):
    shiyan, pts = homes
    f = tmp_path / "v1.csv"
    f.write_bytes(table(HEAD, [row("WH-001", "城关敬老院", pts["A"]), row("WH-002", "武当敬老院", pts["B"]),
                               row("WH-003", "白鹤敬老院", pts["D"])]))
    first = validate_register(f, region=shiyan, coords="wgs84")
    assert first.counts["accepted"] == 3
    region = copy.copy(shiyan)  # never the process-wide region itself
    region.facilities = first.accepted.copy()
    return region


def row(fid: str, name: str, p) -> list:
    return [fid, name, "农村福利院", f"{p[0]:.7f}", f"{p[1]:.7f}"]


def check(region, tmp_path, rows: list):
    g = tmp_path / "v2.csv"
    g.write_bytes(table(HEAD, rows))
    return validate_register(g, region=region, coords="wgs84")


def km(p, q) -> str:
    x, y = lonlat_to_metric(np.array([p[0], q[0]]), np.array([p[1], q[1]]))
    return f"{float(np.hypot(x[1] - x[0], y[1] - y[0])) / 1000:,.1f}"


def shifts(rep) -> list:
    return [i for i in rep.issues if i.code in ("id_elsewhere", "id_shifted")]


def test_a_far_row_under_another_name_with_a_current_id_is_warned_of(homes, tmp_path):
    region = region_with(homes, tmp_path)
    pts = homes[1]
    rep = check(region, tmp_path, [row("WH-001", "武当敬老院", pts["B"]), row("WH-003", "白鹤敬老院", pts["D"])])
    found = shifts(rep)
    assert [(i.row, i.severity, i.code, i.value, i.column) for i in found] == \
        [(2, "warning", "id_elsewhere", "WH-001", "编号")], rep.issues
    d = km(pts["A"], pts["B"])
    zh, en = found[0].text("zh"), found[0].text("en")
    assert zh.startswith("第 2 行：编号“WH-001”属于现有设施“城关敬老院”（房县·") and \
        zh.endswith(f"）；本行名称为“武当敬老院”，相距 {d} 公里：请核对编号列是否错位"), zh
    assert en.startswith("row 2: id 'WH-001' belongs to the current facility '城关敬老院' (Fang County·") and \
        en.endswith(f"); this row's name is '武当敬老院' and it lies {d} km from it: check whether the id column has "
                     "shifted"), en
    assert "“" not in en and "”" not in en and "’" not in en
    assert "忽略" in found[0].fix_zh and "renamed and moved" in found[0].fix_en
    assert rep.counts["accepted"] == 2 and rep.refused_rows == []  # kept: a real move and rename is possible


def test_the_row_is_refused_when_the_file_lists_that_facility_by_its_name(homes, tmp_path):
    region = region_with(homes, tmp_path)
    pts = homes[1]
    rep = check(region, tmp_path, [row("WH-001", "武当敬老院", pts["B"]), row("", "城关敬老院", pts["A"]),
                                   row("WH-003", "白鹤敬老院", pts["D"])])
    found = shifts(rep)
    assert [(i.row, i.severity, i.code) for i in found] == [(2, "error", "id_shifted")], rep.issues
    assert rep.refused_rows == [2]
    msg = found[0].text("zh")
    assert "编号“WH-001”属于现有设施“城关敬老院”" in msg and "第 3 行以该名称列出了这一设施" in msg, msg
    assert f"本行名称为“武当敬老院”，相距 {km(pts['A'], pts['B'])} 公里：编号列错位，本行未导入" in msg, msg
    assert "which row 3 lists by that name" in found[0].text("en")
    # the real facility keeps its id through its own row, at its own place; the refused row stands for 武当敬老院
    acc = rep.accepted
    assert acc.loc["WH-001", "name"] == "城关敬老院" and acc.loc["WH-001", "source_row"] == 3
    assert abs(acc.loc["WH-001"].geometry.x - pts["A"][0]) < 1e-6
    assert acc.attrs["refused_current"] == [{"row": 2, "id": "WH-002"}]


def test_ids_shifted_both_ways_keep_both_facilities(homes, tmp_path):
    region = region_with(homes, tmp_path)
    pts = homes[1]
    rep = check(region, tmp_path, [row("WH-002", "城关敬老院", pts["A"]), row("WH-001", "武当敬老院", pts["B"]),
                                   row("WH-003", "白鹤敬老院", pts["D"])])
    assert [(i.row, i.code) for i in shifts(rep)] == [(2, "id_shifted"), (3, "id_shifted")], rep.issues
    assert list(rep.accepted["id"]) == ["WH-003"]
    # each refused row keeps the facility it names, as it is (not the one of the id it carries)
    assert rep.accepted.attrs["refused_current"] == [{"row": 2, "id": "WH-001"}, {"row": 3, "id": "WH-002"}]


@pytest.mark.parametrize("name, at", [("夕阳红养老院", "A"), ("夕阳红养老院", "A300"), ("城关镇中心敬老院", "B")])
def test_a_rename_in_place_or_nearby_or_an_alike_name_says_nothing(homes, tmp_path, name, at):
    region = region_with(homes, tmp_path)
    pts = homes[1]
    rep = check(region, tmp_path, [row("WH-001", name, pts[at]), row("WH-002", "武当敬老院", pts["B"])])
    assert shifts(rep) == [], rep.issues
    assert rep.accepted.loc["WH-001", "name"] == name and rep.refused_rows == []


def test_names_of_one_facility():
    assert one_facility_names("武当敬老院", "武当山特区中心敬老院")
    assert one_facility_names("城关敬老院", "房县城关敬老院")
    assert one_facility_names("房县尹吉甫镇福利院", "房县尹吉甫镇中心福利院")
    assert not one_facility_names("城关敬老院", "武当敬老院")  # 0.6 alike as a whole: the part that names it differs
    assert not one_facility_names("房县1号福利院", "房县2号福利院")
    assert not one_facility_names("城关敬老院", "夕阳红养老院")
