"""QA 32 (fixer FF): a bureau's files brought in through the browser.

1. The upload's report said "可导入 20 · 提醒 0 · No problems found" of a register moving one facility 18.9 km, where
   `coverplan data import --dry-run` listed the move (and the facilities added and removed): the report now gives
   ``changes``, computed on the layer as the confirm writes it (the other counties carried over, the facilities the
   refused rows stand for kept), the same as GET /api/data/diff says after the confirm, and the Data page shows it
   with the facilities removed in a line of their own.
2. At 390 px the problems table was 423 px in a 350 px card, every message cut mid-word: it now stacks its cells.
3. The version list said "文件 22 行，导入 20 行" of a file whose 2 other rows were its totals and footer, skipped on
   purpose: it says so.
"""
from __future__ import annotations

import io

import pytest

from accounts import accounts_app
from accounts import signed_in as as_user
from browser import *  # noqa: F401,F403
from web.app import create_app

FANG, ZHUSHAN = "420325", "420323"   # 房县, 竹山县
KINDS = ("added", "removed", "moved", "changed", "attributes", "capacity")


@pytest.fixture()
def app(tmp_path):
    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def homes(client, county: str) -> list[dict]:
    return [r for r in client.get("/api/facilities?type=welfare_home").get_json()["rows"] if r["county_code"] == county]


def edited(rows: list[dict], *, refused_id: bool = False, tail: bool = False) -> tuple[bytes, dict]:
    """The county's welfare homes as a register with their ids and beds: the first moved 0.2° east (about 19 km),
    the second left out, a new home added; with ``refused_id`` the third's row has a bad longitude (refused: the
    confirm keeps that home as it is); with ``tail`` a totals row and a footer row at the end."""
    lines = ["编号,名称,经度,纬度,床位数"]
    for i, r in enumerate(rows):
        if i == 1:
            continue
        lon = r["lon"] + 0.2 if i == 0 else r["lon"]
        lon = "abc" if refused_id and i == 2 else lon
        lines.append(f"{r['id']},{r['name']},{lon},{r['lat']},{r['capacity']}")
    lines.append(f",新建福利院,{rows[3]['lon'] + 0.01},{rows[3]['lat']},30")
    if tail:
        lines += ["合计,,,,999", "填报单位：房县民政局,,,,"]
    said = {"moved": rows[0]["id"], "removed": rows[1]["id"], "kept": rows[2]["id"] if refused_id else None}
    return ("\n".join(lines) + "\n").encode("utf-8"), said


def upload(client, body: bytes, lang: str = "zh", name: str = "f.csv"):
    r = client.post(f"/api/data/uploads?lang={lang}", data={"kind": "facilities", "coords": "wgs84", "type": "welfare_home",
                                                          "file": (io.BytesIO(body), name)},
                    content_type="multipart/form-data")
    assert r.status_code == 200, r.data[:400]
    return r.get_json()


def confirmed(client, rep: dict) -> int:
    r = client.post(f"/api/data/uploads/{rep['upload_id']}/confirm")
    assert r.status_code == 200, r.data[:400]
    return r.get_json()["version"]


def same_as_diff(client, changes: dict, a: int, b: int) -> None:
    """The upload's changes are what the confirm did: the facilities of each kind, with their distances."""
    after = client.get(f"/api/data/diff?a={a}&b={b}").get_json()
    for kind in KINDS:
        assert changes["facilities"][kind] == after["facilities"][kind], kind
        assert changes["counts"][f"facilities_{kind}"] == after["counts"][f"facilities_{kind}"], kind


def test_the_reports_changes_are_what_the_confirm_then_does_in_both_languages(app):
    c = app.test_client()
    rows = homes(c, FANG)
    body, said = edited(rows, refused_id=True)
    reps = {lang: upload(c, body, lang) for lang in ("zh", "en")}
    ch = reps["zh"]["changes"]
    fac = ch["facilities"]
    moved = {r["id"]: r["distance_m"] for r in fac["moved"]}
    assert list(moved) == [said["moved"]] and 17_000 < moved[said["moved"]] < 21_000, moved
    # only the home left out: not the other counties' 55 homes (carried over), nor the one whose row was refused
    assert [r["id"] for r in fac["removed"]] == [said["removed"]], fac["removed"]
    assert [r["name"] for r in fac["added"]] == ["新建福利院"], fac["added"]
    assert reps["zh"]["counts"]["refused"] == 1
    # in words, per kind, each home by name and id, the move with its distance
    name = {r["id"]: r["name"] for r in rows}
    for lang, want in (("zh", {"removed": "移除设施 1 处", "added": "新增设施 1 处", "moved": "位置变化的设施 1 处"}),
                       ("en", {"removed": "1 facility removed", "added": "1 facility added", "moved": "1 facility moved"})):
        words = reps[lang]["changes"]
        lists = {x["kind"]: x for x in words["lists"]}
        assert [x["kind"] for x in words["lists"]][:1] == ["removed"]   # what the confirm loses, first
        assert {k: lists[k]["title"] for k in want} == want
        dist = f"{moved[said['moved']] / 1000:.1f}"
        if lang == "zh":
            assert lists["moved"]["items"] == [f"{name[said['moved']]}（{said['moved']}）：移动 {dist} 公里"]
            assert words["removed_text"] == f"确认后将移除 1 处现有设施：{name[said['removed']]}（{said['removed']}）。"
        else:
            assert lists["moved"]["items"] == [f"{name[said['moved']]} ({said['moved']}): moved {dist} km"]
            assert words["removed_text"] == (f"On confirm, 1 existing facility will be removed: {name[said['removed']]} "
                                             f"({said['removed']}).")
    v = confirmed(c, reps["en"])
    same_as_diff(c, ch, v - 1, v)
    after = {r["id"] for r in c.get("/api/facilities?type=welfare_home").get_json()["rows"]}
    assert said["kept"] in after and said["removed"] not in after


def test_a_county_planners_report_says_what_his_confirm_does(tmp_path):
    """A county planner's rows with the other counties' facilities (auth.scope_import): the same as the confirm."""
    app = accounts_app(tmp_path, (("zhu", "planner", ZHUSHAN),))
    try:
        zhu = as_user(app, "zhu")
        body, said = edited(homes(zhu, ZHUSHAN))
        ch = upload(zhu, body)["changes"]
        assert [r["id"] for r in ch["facilities"]["removed"]] == [said["removed"]]
        assert [r["id"] for r in ch["facilities"]["moved"]] == [said["moved"]]
        v = confirmed(zhu, upload(zhu, body, "en"))
        same_as_diff(zhu, ch, v - 1, v)
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


def test_the_same_file_again_changes_nothing_and_says_no_changes(app):
    c = app.test_client()
    body, _ = edited(homes(c, FANG))
    confirmed(c, upload(c, body))
    again = upload(c, body)
    assert again["identical"] and again["changes"] is None


def test_a_versions_file_rows_name_the_totals_and_footer_rows_skipped(app):
    c = app.test_client()
    body, _ = edited(homes(c, FANG), refused_id=True, tail=True)
    rep = upload(c, body)
    assert rep["counts"]["skipped"] == 2, rep["counts"]
    n, ok = rep["counts"]["rows"], rep["counts"]["accepted"]
    v = confirmed(c, rep)
    no = rep["counts"]["refused"]
    for lang, want in (("zh", f"文件 {n} 行：导入 {ok} 行，未导入 {no} 行，略过合计、表尾、重复行或已关闭的设施 2 行"),
                       ("en", f"file: {n} rows: {ok} imported, {no} refused, 2 skipped (totals, footer, repeated or closed-facility rows)")):
        got = next(x for x in c.get(f"/api/data/versions?lang={lang}").get_json()["versions"] if x["version"] == v)
        assert got["rows_note"] == want, got["rows_note"]


# -- in a browser: the report's changes, and its problems table within a phone's width ------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [1366, 390])
def test_the_report_shows_the_changes_and_its_problems_fit_the_width(page, lang, width, tmp_path):
    page.set_viewport_size({"width": width, "height": 900})
    rows = [r for r in page.request.get(page.base + "/api/facilities?type=welfare_home").json()["rows"]
            if r["county_code"] == FANG]
    body, said = edited(rows, refused_id=True, tail=True)
    path = tmp_path / "fang.csv"
    path.write_bytes(body)
    page.goto(page.base + f"/data?lang={lang}")
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    page.select_option("#u-type", "welfare_home")
    page.set_input_files("#u-file", str(path))
    page.click("#u-check")
    poll_js(page, "document.getElementById('report').dataset.ready === '1'")
    box = page.locator("#r-changes")
    assert box.is_visible()
    removed = box.locator(".changes-removed")
    assert removed.is_visible() and said["removed"] in removed.inner_text()
    assert removed.inner_text().startswith("确认后将移除 1 处现有设施" if lang == "zh" else "On confirm, 1 existing facility")
    # the lists fold: open, the move names the home and its distance
    moved = box.locator("details[data-kind='moved']")
    assert not moved.locator("li").first.is_visible()
    moved.locator("summary").click()
    item = moved.locator("li").first.inner_text()
    assert said["moved"] in item and ("公里" if lang == "zh" else " km") in item, item
    page.screenshot(path=str(ARTIFACTS / f"qa32ff-report-{lang}-{width}.png"), full_page=True)
    # the problems table fits its card: no sideways scroll, a message's words whole
    fit = page.eval_on_selector("#issues", "t => [t.scrollWidth, t.clientWidth, t.closest('.card').clientWidth]")
    assert fit[0] <= fit[1] + 1 and fit[1] <= fit[2], fit
    msg = page.eval_on_selector("#issues tbody tr.sev-error td:nth-child(4)",
                                "td => [td.scrollWidth, td.clientWidth, td.getBoundingClientRect().right, "
                                "td.closest('.table-wrap').getBoundingClientRect().right]")
    assert msg[0] <= msg[1] + 1 and msg[2] <= msg[3] + 1, msg
    assert page.evaluate("document.documentElement.scrollWidth") <= width
