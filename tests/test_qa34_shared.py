"""QA 34 (fixer QA34-F13): one rule for what several faces say, and two reports that contradicted themselves.

1. The CLI's --out tables wrote numbers as the web's downloads do by a copy of the web's rule: both now write a
   figure by planner.numbers.number_cell (the CLI's kinds "number" / "coord").
2. `coverplan data diff` said a move "移动 938.8 米" where the Data page, the report's Changes sheet and the upload's
   changes say "移动 939 米": every face words it by planner.numbers.moved_text.
3. After a backup restore dropped the version of a map edit, the admin audit's facility panel said "no data version has
   changed facility ... since v0" above the edit's entry ("data version 4; name ... -> ..."): the answer now names the
   facility's edits in removed versions (``dropped``), with the restore that removed each.
4. A register over the type's size limit (but under twice it, so checked row by row) was reported "accepted 12,000"
   with Confirm on, the text ending "The confirm will be refused.": the report is now blocked, as other refusals.
"""
from __future__ import annotations

import json
import math

import pytest

from accounts import accounts_app, signed_in
from geo import backup as bk
from test_qa20_cli import var  # noqa: F401  (var: an empty data store of its own, a fixture)
from test_qa21_cli import run
from test_qa27_provenance import upload
from test_qa29_carried import register_of

FANG = "420325"


# -- 1. one rule for a figure in a table ------------------------------------------------------------------------------
@pytest.mark.parametrize("value, key, written", [
    (7.0, None, 7), (0.0, None, 0), (25.92, None, 25.92), (25.923456, None, 25.9235), (25.999999, None, 26),
    (9999.0, "units", 9999), (110.1234567, "lon", 110.123457), (32.0, "lat", 32.0), (3, None, 3), ("x", None, "x")])
def test_the_web_and_the_cli_write_a_figure_by_one_rule(value, key, written):
    from cli.output import table_cell
    from planner.numbers import number_cell
    from web.exports import _cell as web_cell

    got = number_cell(value, key)
    assert got == written and type(got) is type(written), (value, got)
    assert web_cell(key or "weight", value, "zh", "csv") == got
    if not isinstance(value, str):
        cli = table_cell(value, "coord" if key in ("lon", "lat") else "number", "zh")
        assert cli == got and type(cli) is type(got), (value, cli)
    assert math.isnan(number_cell(float("nan")))


def test_the_cli_keeps_no_copy_of_the_rule():
    import cli.analysis

    assert not hasattr(cli.analysis, "WEB_NUMBER")


# -- 2. a move's distance, said once ----------------------------------------------------------------------------------
@pytest.mark.parametrize("metres, zh, en", [(938.8, "移动 939 米", "moved 939 m"), (12.4, "移动 12 米", "moved 12 m"),
                                            (999.6, "移动 1.0 公里", "moved 1.0 km"),
                                            (18_912.0, "移动 18.9 公里", "moved 18.9 km")])
def test_a_move_is_worded_by_one_rule(metres, zh, en):
    from planner.numbers import moved_text

    assert moved_text({"distance_m": metres}, "zh") == zh and moved_text({"distance_m": metres}, "en") == en
    assert moved_text({"distance_m": None}, "zh") == ""


def test_cli_data_diff_says_a_move_as_the_web_does(var, capsys):  # noqa: F811
    from geo.datasets import DatasetStore

    store = DatasetStore(var / "proposals.sqlite", region="shiyan")
    homes = store.layers()["facilities"]
    homes = homes[homes["facility_type"] == "welfare_home"].to_crs(4326).copy()
    fid = str(homes.iloc[0]["id"])
    p = homes.geometry.iloc[0]
    homes.loc[homes.index[0], "geometry"] = type(p)(p.x + 0.01, p.y)  # about 940 m east
    assert store.commit_layer("facilities:welfare_home", homes, note="moved") == 1
    code, out, err = run(capsys, "data", "diff", "0", "1", "--json")
    assert code == 0, err
    d = json.loads(out)
    (moved,) = d["facilities"]["moved"]
    assert moved["id"] == fid and 900 < moved["distance_m"] < 980 and moved["distance_m"] != round(moved["distance_m"])
    metres = f"{moved['distance_m']:,.0f}"
    for lang, words in (("zh", f"移动 {metres} 米"), ("en", f"moved {metres} m")):
        code, text, err = run(capsys, "--lang", lang, "data", "diff", "0", "1")
        assert code == 0, err
        line = next(x for x in text.splitlines() if fid in x)
        assert line.rstrip().endswith(words), line
        assert f"{moved['distance_m']:.1f}" not in line, line


# -- 3. the facility panel names the edits of versions a restore removed ----------------------------------------------
def _rename(c, fid: str, name: str) -> int:
    r = c.post("/api/data/edits", json={"action": "rename", "type": "welfare_home", "id": fid, "name": name})
    assert r.status_code == 200, r.get_json()
    return r.get_json()["version"]


@pytest.fixture()
def restored(tmp_path, monkeypatch, capsys):
    """li renames home A (v1), a backup, li renames A again (v2) and renames B (v3); the backup is restored (v2, v3
    dropped). Yields (a new app on the restored database, A's id, B's id, the archive's name)."""
    from web.app import create_app

    monkeypatch.setenv("COVERPLAN_VAR", str(tmp_path / "var-unused"))
    folder = tmp_path / "site"
    folder.mkdir()
    db = folder / "p.sqlite"
    app = accounts_app(folder, [("li", "planner", None), ("boss", "admin", None)])
    try:
        fac = app.extensions["coverplan"]["service"].region.facilities
        homes = [str(i) for i in fac.loc[fac["facility_type"] == "welfare_home", "id"].iloc[:2]]
        li = signed_in(app, "li")
        assert _rename(li, homes[0], "甲福利院（一改）") == 1
        archive = tmp_path / "周一备份.zip"
        bk.backup(db, out=archive)
        assert _rename(li, homes[0], "甲福利院（二改）") == 2
        assert _rename(li, homes[1], "乙福利院（改）") == 3
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()
    code, out, err = run(capsys, "--lang", "en", "restore", str(archive), "--db", str(db))
    assert code == 0, err
    app = create_app({"DB_PATH": str(db), "TESTING": True, "AUTH": "required", "CSRF_ENABLED": False})
    try:
        yield app, homes[0], homes[1], archive.name
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_facility_panel_names_the_edits_a_restore_removed(restored, lang):
    app, a, b, archive = restored
    boss = signed_in(app, "boss")
    restore_row = boss.get("/api/admin/audit?action=restore").get_json()["rows"][0]
    # A: v1 is there, v2 is gone
    fa = boss.get(f"/api/admin/audit?q={a}&lang={lang}").get_json()["facility"]
    assert [v["version"] for v in fa["versions"]] == [1], fa
    (gone,) = fa["dropped"]
    assert gone["version"] == 2 and gone["action"] == "rename"
    assert gone["restored_at"] == restore_row["at"] and gone["restore_file"] == archive
    assert "甲福利院（一改） → 甲福利院（二改）" in gone["what"]
    assert ("设施更名" if lang == "zh" else "facility renamed") in gone["what"], gone
    assert gone["author"] == "li"
    # B: no version there is now changed it; the removed v3 is named, not "no data version has changed it"
    d = boss.get(f"/api/admin/audit?q={b}&lang={lang}").get_json()
    fb = d["facility"]
    assert fb is not None and fb["versions"] == [] and [g["version"] for g in fb["dropped"]] == [3], fb
    assert fb["dropped"][0]["restored_at"] == restore_row["at"]
    # the audit entry below the panel is the one the panel names
    assert any(r["object"] == b and r["detail"].get("version") == 3 for r in d["rows"])


def test_a_facility_no_removed_version_touched_has_no_dropped_entries(restored):
    app, a, b, _ = restored
    boss = signed_in(app, "boss")
    fac = app.extensions["coverplan"]["service"].region.facilities
    other = str(fac.loc[fac["facility_type"] == "welfare_home", "id"].iloc[5])
    fo = boss.get(f"/api/admin/audit?q={other}").get_json()["facility"]
    assert fo["versions"] == [] and fo["dropped"] == [], fo


def test_the_panel_words_exist_in_both_languages():
    from planner.i18n import t

    for key in ("qa34f13_fh_dropped", "qa34f13_fh_dropped_unknown", "qa34f13_fh_dropped_intro",
                "qa34f13_fh_only_dropped"):
        zh, en = t(key, "zh"), t(key, "en")
        assert zh != key and en != key and zh != en
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in en), en
    said = t("qa34f13_fh_dropped", "en", v=4, what="facility renamed; name A → B", time="2026-12-07 09:00",
             archive="bk.zip")
    assert said == ("v4 changed it (facility renamed; name A → B), but the backup restore of 2026-12-07 09:00 "
                    "(bk.zip) removed that version.")


# -- 4. a register over the type's limit: blocked, Confirm off ----------------------------------------------------------
@pytest.fixture()
def small_limit(tmp_path, monkeypatch):
    """An app whose upload reports count 3 facilities of a type as the most a register may hold."""
    import web.data
    from web.app import create_app

    monkeypatch.setattr(web.data, "facility_row_limit", lambda units: 3)
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def test_a_register_over_the_limit_is_blocked_as_other_refusals(small_limit, monkeypatch):
    import geo.datasets

    monkeypatch.setattr(geo.datasets, "facility_row_limit", lambda units: 3)  # and the store's, which the confirm meets
    c = small_limit.test_client()
    region = small_limit.extensions["coverplan"]["service"].region
    r = upload(c, register_of(region, FANG, 5, "甲"), "over.csv", type="day_care")  # 5 > 3, under twice 3
    assert r.status_code == 200, r.get_json()
    rep = r.get_json()
    assert rep["counts"]["accepted"] == 5 and rep["counts"]["refused"] == 0  # every row is fine in itself
    blocked = rep["blocked"]
    assert blocked, rep  # data.js: the counts line says this instead of "accepted 5", Confirm off with the reason
    assert blocked["text"].startswith("不会导入任何行") and "超过本地区名录的上限（3 处" in blocked["text"], blocked
    assert "day_care" not in blocked["text"]
    assert rep["changes"] is None
    assert "确认导入将被拒绝" in rep["replaces"]["text"]
    assert rep["replaces"]["too_many"] == [{"type": "day_care", "rows": 5, "limit": 3}]
    # the report's download says why in the language asked
    from openpyxl import load_workbook
    import io

    for lang, said in (("zh", "超过本地区名录的上限"), ("en", "more than a register of this region can hold")):
        x = c.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx?lang={lang}")
        assert x.status_code == 200
        cells = [str(v) for row in load_workbook(io.BytesIO(x.get_data())).worksheets[0].iter_rows(values_only=True)
                 for v in row if v is not None]
        assert any(said in v for v in cells), cells[:40]
    # a confirm sent all the same is still refused
    assert c.post(f"/api/data/uploads/{rep['upload_id']}/confirm").status_code == 400


def test_a_register_at_the_limit_is_not_blocked(small_limit):
    c = small_limit.test_client()
    region = small_limit.extensions["coverplan"]["service"].region
    r = upload(c, register_of(region, FANG, 3, "乙"), "at.csv", type="day_care")
    assert r.status_code == 200, r.get_json()
    rep = r.get_json()
    assert rep["blocked"] is None and "too_many" not in (rep["replaces"] or {}), rep["blocked"]
    assert rep["changes"] is not None


# -- 3, in a browser: the panel says it ------------------------------------------------------------------------------
from browser import *  # noqa: E402,F401,F403  (server, browser, page fixtures)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_admin_panel_says_a_restore_removed_the_version(page, lang):
    """The audit's answer as the API gives it after the restore (the API test above): the panel says which version
    changed the facility and which restore removed it, never "no data version has changed it"."""
    import json as _json

    at = 1_765_000_000
    facility = {"id": "welfare_home-0690", "type": "welfare_home", "type_text": "福利院" if lang == "zh" else "welfare home",
                "name": "", "since": 0, "versions": [],
                "dropped": [{"version": 4, "action": "rename", "what": "设施更名；名称 甲 → 乙" if lang == "zh"
                             else "facility renamed; name A → B", "author": "li", "at": at - 60, "restored_at": at,
                             "restore_file": "bk.zip", "backup_created": None}]}

    def answer(route):
        if "/api/admin/audit" not in route.request.url:
            return route.continue_()
        return route.fulfill(status=200, content_type="application/json",
                             body=_json.dumps({"total": 0, "limit": 50, "offset": 0, "rows": [], "actions": [],
                                               "facility": facility}))
    page.route("**/api/admin/audit*", answer)
    page.goto(page.base + f"/admin?lang={lang}")
    page.wait_for_selector("#fv-dropped li[data-version='4']")
    text = page.inner_text("#audit-facility")
    assert page.locator("#af-none").count() == 0, text
    item = page.inner_text("#fv-dropped li[data-version='4']")
    if lang == "zh":
        assert item.startswith("v4 改动过该设施（设施更名；名称 甲 → 乙），但 ") and "的备份恢复（bk.zip）移除了该版本。" in item, item
        assert "现有的数据版本（自 v0 起）都没有改动过设施 welfare_home-0690" in text, text
    else:
        assert item.startswith("v4 changed it (facility renamed; name A → B), but the backup restore of ") \
            and item.endswith("(bk.zip) removed that version."), item
        assert "No data version there is now (since v0) changed facility welfare_home-0690" in text, text
