"""QA11 page fixes: 示意 on the township and village popups and layers (and not once the data are
the planner's), per-1,000 ratios with one decimal and their unit, the plan package's export and
shareable address, the password page's stale message, `capacity --beds --type`."""
from __future__ import annotations

import csv
import io
import re
import threading

import pytest
from browser import *  # noqa: F401,F403  (server, browser, page fixtures)
from browser import ARGS, Server

from cli.main import main


# -- 15. `coverplan capacity --type X --beds` --------------------------------------------------
@pytest.mark.parametrize("lang, words", [("en", "--beds and --type cannot be used together"),
                                         ("zh", "--beds 与 --type 不能同时使用")])
def test_cli_capacity_refuses_beds_with_type(capsys, lang, words):
    assert main(["--lang", lang, "capacity", "--type", "day_care", "--beds"]) == 2
    captured = capsys.readouterr()
    assert words in captured.err and "Elderly-care beds" not in captured.out and "床位" not in captured.out


# -- 9. the plan package as a file -------------------------------------------------------------
@pytest.fixture(scope="module")
def plan_app(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa11h") / "p.sqlite"), "TESTING": True})
    c = app.test_client()
    r = c.post("/api/proposals?wait=120", json={"type": "cemetery", "model": "mclp", "p": 2, "name": "QA公墓两处"})
    assert r.status_code in (200, 201) and r.get_json()["state"] == "done", r.get_json()
    app.pid = r.get_json()["result"]["proposal_id"]
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _rows(resp):
    return list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))


def test_plan_export_csv_holds_the_targets_now_and_after(plan_app):
    c = plan_app.test_client()
    resp = c.get(f"/plan/targets.csv?proposals={plan_app.pid}&lang=zh")
    assert resp.status_code == 200 and resp.headers["Content-Disposition"].startswith("attachment")
    rows = _rows(resp)
    assert "规划组合" in rows[0][0] and "QA公墓两处" in rows[0][0] and "数据版本 v0" in rows[0][0] and "示意" in rows[0][0]
    assert rows[1] == ["设施类型", "目标", "现状", "现状是否达标", "组合后", "组合后是否达标", "说明", "示意（含合成数据）",
                       "目标值", "现状进度", "组合后进度"]
    page_rows = c.get(f"/api/targets?proposals={plan_app.pid}&lang=zh").get_json()
    assert len(rows) - 2 == len(page_rows)
    built = [r for r in rows[2:] if r[6] == "新增 2 处"]
    assert built and all(r[0] == "城乡公益性公墓" for r in built)
    # the figures are the page's: now and after, target by target
    for r, p in zip(rows[2:], page_rows):
        # 现状 / 组合后 hold the figure, the target in its own column (QA 29): the page's "0 / 8" is "0" and "8"
        assert r[1] == p["text"] and r[2] == p["current_text"].split(" / ")[0]
        assert r[4] == (p["after"]["text"] if "after" in p else p["current_text"]).split(" / ")[0]
        assert float(r[8].rstrip("%")) == float(p["current_text"].split(" / ")[1].rstrip("%"))  # 100.0% = 100%
        if "after" not in p:
            assert r[6] == "不变"


def test_plan_export_english_xlsx_and_no_picks(plan_app):
    from openpyxl import load_workbook

    c = plan_app.test_client()
    resp = c.get(f"/plan/targets.xlsx?proposals={plan_app.pid}&lang=en")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data)).active
    values = list(ws.iter_rows(values_only=True))
    assert values[1][:4] == ("Facility type", "Target", "Current", "Met now")
    notes = {v[6] for v in values[2:]}
    assert "2 sites added" in notes and not any(str(n).startswith("'") for n in notes if n)
    empty = _rows(c.get("/plan/targets.csv?lang=en"))
    assert "no proposal picked" in empty[0][0]
    assert all(r[2] == r[4] for r in empty[2:])  # nothing picked: after = now


def test_plan_export_unknown_ids_and_format(plan_app):
    c = plan_app.test_client()
    resp = c.get(f"/plan/targets.csv?proposals={plan_app.pid},gone1,gone2&lang=en")
    assert resp.status_code == 404
    page = resp.data.decode()
    msg = page[page.index("These proposals"):][:300].split("<")[0]
    assert "“gone1”" in msg and "“gone2”" in msg and plan_app.pid not in msg and "plan package page" in msg
    page = c.get("/plan/targets.csv?proposals=gone1&lang=zh")
    assert page.status_code == 404 and "以下方案不存在" in page.data.decode()
    assert c.get("/plan/targets.pdf").status_code == 400


# -- browser: the map, the checklist, the plan page --------------------------------------------

POPUPS = """() => {
  const o = window.coverplanMaps['map'];
  let t = null, u = null;
  o.layers.townships.eachLayer(l => { if (!t && l.feature.properties.name === '上津镇') t = l; });
  o.layers.uncovered_units.eachLayer(l => { if (!u) u = l; });
  const text = l => { l.openPopup(l.getLatLng ? l.getLatLng() : l.getCenter()); const s = l.getPopup().getElement().innerText; l.closePopup(); return s; };
  return {town: text(t), village: text(u),
          overlays: Array.from(document.querySelectorAll('.leaflet-control-layers-overlays label')).map(l => l.textContent.trim())};
}"""


@pytest.mark.browser
def test_township_and_village_popups_say_illustrative(page):
    page.goto(page.base + "/map/day_care?lang=zh")
    wait_map(page)
    got = page.evaluate(POPUPS)
    assert "60岁以上人口" in got["town"] and re.search(r"质量\s+示意", got["town"]), got["town"]
    assert re.search(r"质量\s+示意", got["village"]), got["village"]
    assert "未覆盖村（社区） (示意)" in got["overlays"] and "已覆盖村（社区） (示意)" in got["overlays"]
    assert "乡镇（街道）范围 (示意)" in got["overlays"]


@pytest.mark.browser
def test_no_illustrative_mark_once_the_layers_are_the_planners(page):
    # the page as after the planner imported townships, villages and population: its cp-config lists
    # only the sample register as illustrative (web/pages.py illustrative_layers)
    def official(route):
        html = route.fetch().text()
        listed = re.search(r'"illustrative": \[[^\]]*\]', html)
        assert listed and '"townships"' in listed.group(0), "the page lists its illustrative layers"
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body=html.replace(listed.group(0), '"illustrative": ["facilities"]'))
    page.route("**/map/day_care?lang=en", official)
    page.goto(page.base + "/map/day_care?lang=en")
    wait_map(page)
    got = page.evaluate(POPUPS)
    assert "illustrative" not in got["town"] and "illustrative" not in got["village"]
    assert "Uncovered villages" in got["overlays"] and "Township areas" in got["overlays"]
    assert "Existing facilities (illustrative)" in got["overlays"]  # the sample register still is


@pytest.mark.browser
def test_capacity_popup_ratio_one_decimal_with_unit(page):
    page.goto(page.base + "/map/day_care?lang=zh")
    wait_map(page)
    page.evaluate("() => { window.coverplanMaps['map'].map.addLayer(window.coverplanMaps['map'].layers.capacity); }")
    poll_js(page, "window.coverplanMaps['map'].layers.capacity.getLayers().length > 0")
    texts = page.evaluate("""() => { const out = [];
      window.coverplanMaps['map'].layers.capacity.eachLayer(l => { if (out.length < 40) {
        l.openPopup(l.getCenter()); out.push(l.getPopup().getElement().innerText); l.closePopup(); } });
      return out; }""")
    for t in texts:
        m = re.search(r"每千名60岁以上老人日托位\s+(\S+) / 15 （标准）", t)
        assert m and re.fullmatch(r"[\d,]+\.\d", m.group(1)), t


@pytest.mark.browser
def test_checklist_ratios_one_decimal_and_units(page):
    page.goto(page.base + "/townships?type=day_care&county=420322&lang=zh")
    poll_js(page, "document.getElementById('checklist').dataset.ready === '1'")
    assert page.inner_text("th[data-key='cap_ratio']") == "每千名60岁以上老人日托位（标准）"
    assert page.inner_text("th[data-key='cap_shortfall']") == "容量缺口（个日托位）"
    cells = page.eval_on_selector_all("#checklist tbody tr td:nth-child(8)", "els => els.map(e => e.innerText.trim())")
    assert cells and all(re.fullmatch(r"[\d,]+\.\d / 15", c) for c in cells), cells
    # all types: each cell names its own unit
    page.select_option("#f-type", "")
    poll_js(page, "document.getElementById('checklist').dataset.ready === '1' && "
                  "document.querySelectorAll('#checklist tbody tr').length > 100")
    assert page.inner_text("th[data-key='cap_ratio']") == "容量/千人（标准）"
    units = page.eval_on_selector_all(".cap-unit", "els => els.map(e => e.innerText.trim())")
    assert "每千名60岁以上老人日托位" in units and "个日托位" in units and "每千人墓穴/格位" in units


@pytest.mark.browser
def test_plan_page_keeps_picks_in_the_address_and_exports_them(page):
    app = page.app
    pid = app.test_client().post("/api/proposals?wait=120", json={"type": "cemetery", "model": "mclp", "p": 2}).get_json()["result"]["proposal_id"]
    page.goto(page.base + f"/plan?proposals={pid},nosuch&lang=en")
    poll_js(page, "document.getElementById('plan-targets').dataset.ready === '1'")
    assert "nosuch" in page.inner_text("#plan-missing")
    assert page.is_checked(f"#plan-proposals input[value='{pid}']")
    assert page.evaluate("location.search") == f"?proposals={pid}"
    assert page.get_attribute("#plan-export-csv", "href") == f"/plan/targets.csv?proposals={pid}&lang=en"
    with page.expect_download() as d:
        page.click("#plan-export-xlsx")
    assert d.value.suggested_filename.endswith(".xlsx")
    page.click("#plan-clear")
    poll_js(page, "document.getElementById('plan-targets').dataset.ready === '1'")
    assert page.get_attribute("#plan-export-csv", "href") == "/plan/targets.csv?lang=en"


# -- 14. the password page ---------------------------------------------------------------------
@pytest.mark.browser
def test_password_page_clears_the_old_message_and_goes_home(browser, tmp_path):
    from waitress.server import create_server

    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path / "p.sqlite"), "AUTH": "required"})
    users = app.extensions["coverplan"]["users"]
    _, once = users.add("li", "planner", None, password="one-time-pw-1", must_change=True)
    srv = create_server(app, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=srv.run, daemon=True).start()
    base = Server(f"http://127.0.0.1:{srv.effective_port}", app)
    ctx = browser.new_context(viewport={"width": 1100, "height": 700}, locale="zh-CN")
    pg = ctx.new_page()
    try:
        pg.goto(base + "/login")
        pg.fill("#login-name", "li")
        pg.fill("#login-password", "one-time-pw-1")
        pg.click("#login-submit")
        pg.wait_for_selector("#password-form")
        pg.fill("#pw-current", "one-time-pw-1")
        pg.fill("#pw-new", "Newpass123")
        pg.fill("#pw-again", "Newpass124")
        pg.click("#password-submit")
        assert pg.inner_text("#password-error") == "两次输入的新密码不一致。"
        # too short: the browser's own check stops the form; the earlier message must not stay
        pg.fill("#pw-current", "one-time-pw-1")
        pg.fill("#pw-new", "short")
        pg.fill("#pw-again", "short")
        pg.press("#pw-again", "Enter")
        assert pg.query_selector("#password-error") is None
        assert pg.evaluate("document.getElementById('pw-new').validity.tooShort")
        pg.fill("#pw-new", "Passw0rd!23")
        pg.fill("#pw-again", "Passw0rd!23")
        with pg.expect_navigation():
            pg.click("#password-submit")
        assert pg.evaluate("location.pathname") == "/"
        assert pg.query_selector("#password-form") is None
    finally:
        ctx.close()
        srv.close()
        app.extensions["coverplan"]["jobs"].shutdown()
