"""QA 33 (fixer F2): a version comparison one can link to, and the check report's "Changes" sheet.

1. The admin page's facility history linked its "show the changes" to the API's JSON, and the Data page took no
   address of a comparison: /data?diff=A,B now opens the Data page on the comparison of versions A and B (the same
   one its Compare button shows), scrolled into view; an address it cannot use (no number, 1e999, a negative or
   unknown version, 10,000 characters) says why, in the page's language, and is a 400, never a 500 or a JS error.
   The admin page's links lead there (a new tab works; a plain click still shows it in place).
2. The check report's workbook did not say what the confirm changes / changed, where the Data page and
   `coverplan data import --dry-run` did: a sheet 变更 / Changes lists every facility removed, added, moved (with
   the distance), renamed and changed, with the counts the page's preview gives and, for a version's report, the
   items GET /api/data/diff gives of that version against the one before it.
"""
from __future__ import annotations

import html
import io
import re
from collections import Counter

import pytest
from openpyxl import load_workbook

from browser import *  # noqa: F401,F403  (server, browser, page fixtures)
from test_qa32_upload_changes import FANG, confirmed, edited, homes, upload
from web.app import create_app

KINDS = ("removed", "added", "moved", "changed", "attributes", "capacity")
LABELS = {"zh": {"removed": "移除", "added": "新增", "moved": "移动", "changed": "更名或改类型", "attributes": "属性变化",
                 "capacity": "容量变化"},
          "en": {"removed": "Removed", "added": "Added", "moved": "Moved", "changed": "Renamed or retyped",
                 "attributes": "Attributes changed", "capacity": "Capacity changed"}}


def second_file(rows: list[dict]) -> bytes:
    """The county's homes again (as the first file left them): the first renamed, the second's beds up by 10, the
    third with an address and a phone."""
    lines = ["编号,名称,经度,纬度,床位数,地址,联系电话"]
    for i, r in enumerate(rows):
        name = r["name"] + "（新）" if i == 0 else r["name"]
        beds = (r["capacity"] or 0) + 10 if i == 1 else r["capacity"]
        addr, phone = ("人民路 1 号", "0719-3221234") if i == 2 else (r.get("address") or "", r.get("phone") or "")
        lines.append(f"{r['id']},{name},{r['lon']},{r['lat']},{beds},{addr},{phone}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def sheet(body: bytes, name: str) -> tuple[list[str], list[tuple]]:
    """The Changes sheet of a report workbook: (its lines above the table, the table's rows under its header)."""
    wb = load_workbook(io.BytesIO(body))
    assert wb.sheetnames[-1] == name, wb.sheetnames
    rows = list(wb[name].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[2] in ("编号", "ID"))
    return [" ".join(str(c) for c in r if c) for r in rows[:head]], rows[head + 1:]


def by_kind(rows: list[tuple], lang: str) -> dict[str, list[str]]:
    """The ids the sheet lists per kind of change."""
    kinds = {v: k for k, v in LABELS[lang].items()}
    out: dict[str, list[str]] = {k: [] for k in KINDS}
    for r in rows:
        if r[0] in kinds:
            out[kinds[r[0]]].append(r[2])
    return out


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """Two confirmed uploads on one app: v1 (a home moved 19 km, one left out, one added, one refused row) and v2
    (renamed, beds, address and phone), with the reports downloaded before each confirm and the upload's changes."""
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa33f2") / "p.sqlite"), "TESTING": True})
    c = app.test_client()
    try:
        out = {"app": app, "client": c, "before": {}, "changes": {}}
        body, said = edited(homes(c, FANG), refused_id=True)
        rep = upload(c, body, "zh")
        out["changes"][1] = rep["changes"]
        out["before"][1] = {lang: c.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx?lang={lang}")
                            for lang in ("zh", "en")}
        out["said"] = said
        assert confirmed(c, rep) == 1
        out["body2"] = second_file(homes(c, FANG))
        rep = upload(c, out["body2"], "en")
        out["changes"][2] = rep["changes"]
        out["before"][2] = {lang: c.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx?lang={lang}")
                            for lang in ("zh", "en")}
        assert confirmed(c, rep) == 2
        yield out
    finally:
        app.extensions["coverplan"]["jobs"].shutdown()


# -- 1. /data?diff=A,B ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_data_page_opens_on_the_comparison_its_address_names(made, lang):
    c = made["client"]
    r = c.get(f"/data?diff=0,2&lang={lang}")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    box = re.search(r'<div id="diff"[^>]*data-from="url"[^>]*>(.*?)</div>', page, re.S)
    assert box, page[:2000]
    assert 'data-a="0"' in box.group(0) and 'data-b="2"' in box.group(0) and " hidden" not in box.group(0)
    said = html.unescape(box.group(1))
    want = c.get(f"/api/data/diff?a=0&b=2&lang={lang}").get_json()["lines"]
    assert want and [html.unescape(x) for x in re.findall(r"<li>(.*?)</li>", box.group(1))] == want, said
    assert ("对比 v0 → v2" if lang == "zh" else "Compare v0 → v2") in said
    # a comparison of the versions the other way round, as asked; the page without ?diff= shows none
    assert 'data-a="2" data-b="1"' in c.get(f"/data?diff=2,1&lang={lang}").get_data(as_text=True)
    plain = c.get(f"/data?lang={lang}").get_data(as_text=True)
    assert '<div id="diff" class="diff" hidden></div>' in plain and "diff-error" not in plain


BAD = [("x", "bad"), ("1e999", "bad"), ("-1,0", "unknown"), ("0,99", "unknown"), ("9" * 10_000, "bad"),
       ("1," + "9" * 10_000, "bad"), ("", "bad"), ("0,1,2", "bad"), ("a,b", "bad"), ("0,0", "same"),
       ("1e3,1", "unknown"), ("<b>1</b>,2", "bad")]


@pytest.mark.parametrize("value,why", BAD)
def test_an_address_the_comparison_cannot_use_says_why_in_the_pages_language(made, value, why):
    c = made["client"]
    for lang in ("zh", "en"):
        r = c.get("/data", query_string={"diff": value, "lang": lang})
        assert r.status_code == 400, (value, r.status_code)
        page = r.get_data(as_text=True)
        m = re.search(r'<p class="error-box" id="diff-error"[^>]*>(.*?)</p>', page, re.S)
        assert m, page[:1500]
        text = html.unescape(m.group(1))
        assert "<b>" not in m.group(1)  # the value is escaped
        assert len(text) < 400, text  # 10,000 characters are not echoed
        if lang == "zh":
            assert re.search(r"[\u4e00-\u9fff]", text) and "diff=" in text, text
            assert {"bad": "无法读取", "unknown": "没有数据版本", "same": "两次都是"}[why] in text, text
        else:
            assert not re.search(r"[\u4e00-\u9fff]", text) and "diff=" in text, text
            assert {"bad": "cannot be read", "unknown": "There is no data version",
                    "same": "twice"}[why] in text, text
        if why == "unknown":  # the versions there are, to choose from
            assert "v2" in text and "v0" in text, text
        # the page itself works: its versions and upload form are there
        assert 'id="versions"' in page and 'id="upload-form"' in page


def test_a_version_number_of_5000_digits_is_refused_not_a_500(made):
    r = made["client"].get("/api/data/diff?a=" + "1" * 5000 + "&b=0&lang=en")
    assert r.status_code in (400, 404), r.data[:300]  # (which one is web/data.py version_number's to say)
    assert len(r.get_json()["message"]) < 600 and "1111" in r.get_json()["message"]


# -- 2. the report's Changes sheet ---------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_before_the_confirm_lists_the_uploads_changes(made, lang):
    name = "变更" if lang == "zh" else "Changes"
    for v in (1, 2):
        r = made["before"][v][lang]
        assert r.status_code == 200
        top, rows = sheet(r.data, name)
        ch = made["changes"][v]
        got = by_kind(rows, lang)
        for kind in KINDS:  # the same facilities as the upload's changes, kind by kind
            assert len(got[kind]) == ch["counts"][f"facilities_{kind}"], (v, kind, got[kind])
            assert sorted(got[kind]) == sorted(x["id"] for x in ch["facilities"][kind]), (v, kind)
        # a line of counts above the table, as the page's preview titles them
        assert any(w in " ".join(top) for w in ("共计", "In all"))
    zh_top, _ = sheet(made["before"][1]["zh"].data, "变更")
    assert "新增设施 1 处 · 移除设施 1 处 · 位置变化的设施 1 处" in " ".join(zh_top)
    # the move with its distance, the place before and after
    _, rows = sheet(made["before"][1][lang].data, name)
    moved = next(r for r in rows if r[0] == LABELS[lang]["moved"])
    assert moved[2] == made["said"]["moved"]
    assert re.fullmatch(r"移动 1[789]\.\d 公里" if lang == "zh" else r"moved 1[789]\.\d km", moved[4]), moved
    assert moved[5] != moved[6] and moved[5].count(",") == 1
    # the second file: what changed, before and after
    _, rows = sheet(made["before"][2][lang].data, name)
    kinds = {r[0]: r for r in rows}
    renamed, attrs, cap = (kinds[LABELS[lang][k]] for k in ("changed", "attributes", "capacity"))
    assert renamed[6] == renamed[5] + "（新）" and renamed[3] == renamed[6], renamed
    assert "人民路 1 号" in attrs[6] and "0719-3221234" in attrs[6] and "人民路" not in attrs[5], attrs
    assert attrs[4] == ("地址、联系电话" if lang == "zh" else "address, phone"), attrs
    before, after = (int(re.match(r"\d+", x).group()) for x in cap[5:7])
    assert after == before + 10, cap


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_versions_report_lists_what_it_changed_against_the_version_before(made, lang):
    c = made["client"]
    name = "变更" if lang == "zh" else "Changes"
    for v in (1, 2):
        r = c.get(f"/api/data/versions/{v}/report.xlsx?lang={lang}")
        assert r.status_code == 200, r.data[:300]
        top, rows = sheet(r.data, name)
        assert (f"v{v} 相对于 v{v - 1}" if lang == "zh" else f"v{v} changed against v{v - 1}") in top[0], top
        diff = c.get(f"/api/data/diff?a={v - 1}&b={v}").get_json()
        got = by_kind(rows, lang)
        for kind in KINDS:
            assert len(got[kind]) == diff["counts"][f"facilities_{kind}"], (v, kind)
            assert Counter(got[kind]) == Counter(x["id"] for x in diff["facilities"][kind]), (v, kind)
        # and the same as the upload that made it said before its confirm
        assert {k: len(x) for k, x in got.items()} == \
            {k: made["changes"][v]["counts"][f"facilities_{k}"] for k in KINDS}
    # the CSV report is as before: no sheet to add, its rows the problems
    csv = c.get("/api/data/versions/1/report.csv?lang=en")
    assert csv.status_code == 200 and csv.data.startswith(b"\xef\xbb\xbf")


def test_a_file_identical_to_the_current_data_has_a_sheet_saying_so(made):
    c = made["client"]
    rep = upload(c, made["body2"], "en")  # the file that made v2, again
    assert rep["identical"] and rep["changes"] is None
    top, rows = sheet(c.get(f"/api/data/uploads/{rep['upload_id']}/report.xlsx?lang=en").data, "Changes")
    assert rows == [] and any("exactly the data of the current version (v2)" in x for x in top), top


# -- in a browser: the Data page opened on a comparison, and the admin page's link to it ---------------------------
@pytest.mark.browser
def test_data_page_scrolls_to_the_comparison_and_the_admin_links_to_it(page, server):
    c = server.app.test_client()
    rows = homes(c, FANG)
    fid = rows[0]["id"]
    body, said = edited(rows)
    v = confirmed(c, upload(c, body))
    page.set_viewport_size({"width": 1280, "height": 700})
    page.goto(page.base + f"/data?diff={v - 1},{v}&lang=en")
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    poll_js(page, f"document.getElementById('cmp-b').value === '{v}' && document.getElementById('cmp-a').value === '{v - 1}'")
    text = page.inner_text("#diff")
    assert f"Compare v{v - 1} → v{v}" in text and "1 facility moved" in text, text
    poll_js(page, "(() => { const r = document.getElementById('diff').getBoundingClientRect();"
                  " return r.top >= -1 && r.top < window.innerHeight; })()")
    # a bad address: the message where the comparison would be, no JS error (the fixture checks)
    page.goto(page.base + "/data?diff=1e999&lang=zh")
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    assert "无法读取" in page.inner_text("#diff-error")
    # the admin page's "show the changes" is a link to that page (opened as a new tab would); a click shows it here
    page.goto(page.base + "/admin?lang=en")
    page.wait_for_selector("#audit-table tbody tr")
    page.fill("#af-q", fid)
    page.click("#af-apply")
    link = page.locator(f"#facility-versions tr[data-version='{v}'] a.fv-diff")
    href = link.get_attribute("href")
    assert href == f"/data?diff={v - 1},{v}&lang=en", href
    link.click()
    page.wait_for_selector("#fv-diff[data-ready='1']")
    assert "1 facility moved" in page.inner_text("#fv-diff")
    assert page.get_attribute("#fv-diff a.fv-open", "href") == href
    page.goto(page.base + href)
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    assert f"Compare v{v - 1} → v{v}" in page.inner_text("#diff")
