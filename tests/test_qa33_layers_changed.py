"""QA 33 (fixer F13): a closed row names its facility for the shifted-id rule; "changed layers" are true changes.

1. A row carrying a current facility's id under another name far off is refused when the file names that facility
   on another row (planner.register ``_Rows.shifted_ids``). A CLOSED row (状态 停用: dropped before the row checks)
   did not count: the row was only warned of, and the import renamed and moved that facility while the facility the
   row names was removed. A closed row now names its facility as an open row does: the row is refused, the closed row
   still closes that facility, and the refused row keeps the facility it names.
2. A whole-register upload (every type in one file, or the register export re-imported) rewrites all facility-type
   layers: each was listed as changed although only one type's rows differ, in the upload's ``changes.layers``, in
   the data version list's layer column and on a proposal's re-solve card ("what changed ... is not data this
   proposal rests on" while listing that very layer as unchanged). Only layers whose rows differ are changed now.
"""
from __future__ import annotations

import csv
import io

import pytest

from planner.register import validate_register
from test_qa33_register import HEAD, homes, region_with, row, shifts, table  # noqa: F401  (homes: a fixture)
from test_qa33_rerun import facilities_of, propose, rerun, rerun_diff


# -- 1. a closed row names its facility for the shifted-id rule ------------------------------------------------------
@pytest.mark.parametrize("closed_id", ["", "WH-001"])
def test_a_closed_row_naming_the_facility_of_a_shifted_id_refuses_that_row(homes, tmp_path, closed_id):
    region = region_with(homes, tmp_path)
    pts = homes[1]
    f = tmp_path / "closed.csv"
    f.write_bytes(table(HEAD + ",运营状态", [row("WH-001", "武当敬老院", pts["B"]) + ["在用"],
                                            row(closed_id, "城关敬老院", pts["A"]) + ["停用"],
                                            row("WH-003", "白鹤敬老院", pts["D"]) + ["在用"]]))
    rep = validate_register(f, region=region, coords="wgs84", column_map={"status": "运营状态"})
    assert rep.closed_rows == [3]
    found = shifts(rep)
    assert [(i.row, i.severity, i.code) for i in found] == [(2, "error", "id_shifted")], rep.issues
    assert "第 3 行以该名称列出了这一设施" in found[0].text("zh"), found[0].text("zh")
    assert rep.refused_rows == [2]
    # the closed row closes WH-001 (not kept, not accepted); the refused row keeps the facility it names, WH-002
    assert list(rep.accepted["id"]) == ["WH-003"]
    assert rep.accepted.attrs["refused_current"] == [{"row": 2, "id": "WH-002"}]


def test_a_closed_row_of_another_name_leaves_the_warning(homes, tmp_path):
    region = region_with(homes, tmp_path)
    pts = homes[1]
    f = tmp_path / "closed.csv"
    f.write_bytes(table(HEAD + ",运营状态", [row("WH-001", "武当敬老院", pts["B"]) + ["在用"],
                                            row("", "白鹤敬老院", pts["D"]) + ["停用"],
                                            row("WH-002", "红星敬老院", pts["B"]) + ["在用"]]))
    rep = validate_register(f, region=region, coords="wgs84", column_map={"status": "运营状态"})
    assert [(i.row, i.severity, i.code) for i in shifts(rep)][:1] == [(2, "warning", "id_elsewhere")], rep.issues
    assert 2 not in rep.refused_rows


# -- 2. a whole-register upload changing one type: only that type changed ---------------------------------------------
@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa33f13") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _register(c, rename: dict) -> bytes:
    """The whole register as its own export (every type, 示意 and 来源 columns), rows renamed: {id: new name}."""
    text = c.get("/api/facilities.csv?lang=zh").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "编号")
    body = rows[head:]
    assert len({r[2] for r in body[1:]}) == 7  # every type
    for r in body[1:]:
        if r[0] in rename:
            r[1] = rename.pop(r[0])
    assert not rename
    buf = io.StringIO()
    csv.writer(buf).writerows(body)
    return buf.getvalue().encode("utf-8")


def _confirm(c, content: bytes) -> tuple[dict, int]:
    from test_qa27_provenance import upload

    rep = upload(c, content, "register.csv", replace="city")
    assert rep.status_code == 200, rep.get_data()[:500]
    rep = rep.get_json()
    done = c.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert done.status_code in (200, 201), done.get_json()
    return rep, done.get_json()["version"]










def test_a_whole_register_changing_one_type_lists_only_that_type(app):
    from planner.i18n import t

    c = app.test_client()
    city = propose(c, type="elderly_complex", model="mclp", p=2)["id"]
    county = propose(c, type="elderly_complex", model="mclp", p=1, county="420325")["id"]
    dc = str(facilities_of(app, "day_care").iloc[0]["id"])
    rep, v1 = _confirm(c, _register(c, {dc: "整表改名测试日间照料中心"}))
    # the upload's changes, the version list's layer column, the versions' compare: day-care centres only
    assert rep["changes"]["layers"]["changed"] == ["facilities:day_care"], rep["changes"]["layers"]
    for lang, label in (("zh", "设施名录 · "), ("en", "facility register · ")):
        row = next(r for r in c.get(f"/api/data/versions?lang={lang}").get_json()["versions"] if r["version"] == v1)
        assert row["layer"] == "facilities:day_care", row["layer"]
        name = app.extensions["coverplan"]["service"].get_type("day_care").name(lang)
        assert row["layer_label"] == label + name, row["layer_label"]
        assert len(row["replaced"]) == 7  # what was written is still told
    d = c.get(f"/api/data/diff?a=0&b={v1}&lang=en").get_json()
    assert d["layers"]["changed"] == ["facilities:day_care"] and len(d["facilities"]["changed"]) == 1
    # a proposal of another type: nothing it rests on changed, and the card does not say its own layer changed
    new = rerun(app, c, city)
    for lang in ("zh", "en"):
        d = rerun_diff(c, new, lang)
        assert d["data_changes"] == []
        assert "facilities:elderly_complex" in [x["layer"] for x in d["data_unchanged"]]
        kind = app.extensions["coverplan"]["service"].get_type("day_care").name(lang)
        dc_label = f"{t('ds_layer_facilities', lang)} · {kind}"
        assert d["data_lines"][0] == t("qa33f4_data_unaffected", lang, a=0, b=v1, layers=dc_label), d["data_lines"]
    # then an elderly-service complex of another county renamed, in a whole register again: the county proposal's
    # own type changed in other counties only, and said so
    other = str(facilities_of(app, "elderly_complex", "420322").iloc[0]["id"])
    rep, v2 = _confirm(c, _register(c, {other: "整表改名测试养老服务综合体"}))
    assert rep["changes"]["layers"]["changed"] == ["facilities:elderly_complex"], rep["changes"]["layers"]
    new = rerun(app, c, county)
    for lang in ("zh", "en"):
        d = rerun_diff(c, new, lang)
        assert d["data_changes"] == [], d["data_changes"]
        assert "facilities:elderly_complex" in [x["layer"] for x in d["data_unchanged"]]
        line = d["data_lines"][0]
        assert f"v0 → v{v2}" in line or f"v0 to v{v2}" in line, line
        name = app.extensions["coverplan"]["service"].get_type("elderly_complex").name(lang)
        assert name + t("qa33f13_other_counties", lang) in line, line
    # the city-wide proposal rests on every county's: that rename is a change of its data
    d = rerun_diff(c, rerun(app, c, city), "en")
    assert [x["layer"] for x in d["data_changes"]] == ["facilities:elderly_complex"]
    assert d["data_changes"][0]["counts"]["renamed"] == 1
