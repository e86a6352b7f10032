"""QA sweep 21, the pages (part b): what a planner saw in the browser, each fixed with a test of the outcome.

One open-mode server for the module (tests/browser.py):

1. the proposal form's number fields take what the server takes (a standard of 0 or 100,000 minutes, a
   negative budget, an upgrade of more facilities than there are were sent, to be refused after the click);
2. the compare page: one proposal with itself asks for two, the saved list's hint follows the ticks, and
   the compare tables fit a phone;
3. on a phone, the accounts' controls are all on the screen, and the opened layer list leaves the place
   search visible;
4. the upload report gives its "Problem and fix" column the width to be read at 1366 px;
5. a sized proposal's solve shows its time against its limit while it runs.
"""
from __future__ import annotations

import re
import time

import pytest
from browser import browser, page, poll_js, proposal_id, server, wait_map  # noqa: F401  (fixtures)

from planner.i18n import t

pytestmark = [pytest.mark.browser]

PHONE = {"width": 390, "height": 844}


def _saved(server, body) -> dict:
    r = server.app.test_client().post("/api/proposals?wait=120", json=body)
    assert r.status_code == 201, r.data[:300]
    return r.get_json()["proposal"]


@pytest.fixture(scope="module")
def more(server, proposal_id):
    """Two more township complexes by MCLP (2 and 4 sites): with proposal_id, three of one type."""
    return [_saved(server, {"type": "elderly_complex", "model": "mclp", "p": p, "name": f"qa21-cmp-{p}"})["id"]
            for p in (2, 4)]


def _posts(page) -> list:
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    return posts


def _refused(page, field: str, value: str) -> str:
    """The field's complaint after typing ``value`` and pressing Run (the form is not sent); the field is
    left empty again."""
    page.fill(field, "")
    page.type(field, value)
    page.click("#p-submit")
    message = page.eval_on_selector(field, "e => e.validationMessage")
    page.fill(field, "")
    return message


def _server_refuses(server, body) -> bool:
    """Whether the server's parameter check refuses ``body`` (web.proposals.parse_params, nothing solved)."""
    from geo.errors import CoverplanError
    from web.proposals import parse_params

    with server.app.test_request_context("/api/proposals"):
        try:
            parse_params(body, server.app.extensions["coverplan"]["service"])
        except CoverplanError:
            return True
    return False


# -- 1. the form's number fields take what the server takes --------------------------------------------
def test_the_form_limits_are_the_servers(server):
    """Each type's standard range on the page is the server's: its bounds are taken, a step beyond refused."""
    html = server.app.test_client().get("/proposals?lang=en").get_data(as_text=True)
    options = re.findall(r'<option value="(\w+)"[^>]*?data-stdmin="([\d.]+)" data-stdmax="([\d.]+)"', html)
    assert len(options) == len(server.app.extensions["coverplan"]["service"].types()), options
    units = {k: ft.unit for k, ft in server.app.extensions["coverplan"]["service"].types().items()}
    for key, low, high in options:
        assert (low, high) == (("1", "600") if units[key] == "min" else ("100", "300000")), (key, low, high)
        for value, refused in ((low, False), (high, False), (float(low) / 2, True), (float(high) + 1, True), (0, True)):
            assert _server_refuses(server, {"type": key, "standard_urban": value}) is refused, (key, value)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_form_refuses_what_the_server_refuses_before_sending(page, server, lang):
    from web.capacity_proposals import upgrade_limit
    posts = _posts(page)
    page.goto(page.base + f"/proposals?lang={lang}")
    page.wait_for_selector("#p-submit")
    # a standard in minutes: 1 to 600 (0 and 100,000 were sent and refused by the server)
    page.select_option("#p-type", "welfare_home")
    assert _refused(page, "#p-standard-urban", "0") == t("form_too_small", lang, min="1")
    assert _refused(page, "#p-standard-rural", "100000") == t("form_too_large", lang, max="600")
    # ... in metres once the type is one measured in metres: the bounds follow the type
    page.select_option("#p-type", "day_care")
    assert page.eval_on_selector("#p-standard-urban", "e => [e.min, e.max]") == ["100", "300000"]
    assert _refused(page, "#p-standard-urban", "400000") == t("form_too_large", lang, max="300,000")
    assert _refused(page, "#p-standard-urban", "50") == t("form_too_small", lang, min="100")
    # a sized proposal: a budget below one site's cost (a negative one too), a size beyond one facility,
    # one cost too few
    page.select_option("#p-type", "elderly_complex")
    page.select_option("#p-kind", "sized")
    budget = t("form_budget_min", lang, cost="300", size="30")
    assert _refused(page, "#p-budget-cost", "-5") == budget
    assert _refused(page, "#p-budget-cost", "10") == budget
    msg = _refused(page, "#p-sizes", "30,60,9999")
    assert msg == t("form_size_too_big", lang, value="9,999", max="1,000", unit=t("capw_unit_beds", lang)), msg
    assert _refused(page, "#p-sizes", "abc") == t("form_sizes_bad", lang, n=8)
    assert _refused(page, "#p-costs", "300,500") == t("form_costs_count", lang, n=3)
    # an upgrade of more welfare homes than the per-county limits allow
    page.select_option("#p-type", "welfare_home")
    page.select_option("#p-kind", "upgrade")
    service = page.app.extensions["coverplan"]["service"]
    limit = upgrade_limit(service, service.get_type("welfare_home"), False)
    # the limit named, where it comes from and what to type (QA 34: it was the browser's bare "不能大于 15。")
    cap = service.get_type("welfare_home").upgrade.per_county_max
    assert _refused(page, "#p-k", str(limit + 1)) == t("qa34f3_k_city_bad", lang, n=str(limit), cap=cap,
                                                       what=t("qa33f16_what_upgrade", lang))
    assert posts == []  # nothing was sent to be refused
    assert page.locator("#job").is_hidden()
    # the server refuses each of them too: the form says no more than it does
    for body in ({"type": "welfare_home", "standard_urban": 0}, {"type": "welfare_home", "standard_rural": 100000},
                 {"type": "day_care", "standard_urban": 400000}, {"type": "day_care", "standard_urban": 50},
                 {"type": "elderly_complex", "kind": "sized", "budget_cost": -5},
                 {"type": "elderly_complex", "kind": "sized", "budget_cost": 10},
                 {"type": "elderly_complex", "kind": "sized", "sizes": "30,60,9999"},
                 {"type": "elderly_complex", "kind": "sized", "sizes": "abc"},
                 {"type": "elderly_complex", "kind": "sized", "costs": "300,500"},
                 {"type": "welfare_home", "kind": "upgrade", "k": limit + 1}):
        assert _server_refuses(server, body), body


# -- 2. compare: one proposal with itself, the list's hint, the tables on a phone --------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_proposal_compared_with_itself_asks_for_two(page, proposal_id, lang):
    resp = page.goto(page.base + f"/proposals/compare?a={proposal_id}&b={proposal_id}&lang={lang}")
    assert resp.status == 400
    assert page.inner_text("#compare-same") == t("cmp_same_twice", lang)
    assert page.locator("table#diff").count() == 0 and page.locator(".leaflet-container").count() == 0
    page.click("#compare-pick a.btn")  # the way back to the list
    page.wait_for_url("**/proposals")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_compare_hint_follows_the_ticks(page, more, lang):
    page.goto(page.base + f"/proposals?lang={lang}")
    poll_js(page, "+document.getElementById('saved').dataset.rows >= 3")
    page.select_option("#f-ptype", "elderly_complex")
    hint = lambda: page.inner_text("#compare-hint")  # noqa: E731
    assert hint() == t("compare_pick", lang)
    picks = page.locator("#saved .pick")
    picks.nth(0).check()
    assert hint() == t("compare_one_more", lang) and page.is_disabled("#compare")
    picks.nth(1).check()
    # "tick two proposals to compare" beside two ticked ones
    assert hint() == t("compare_ready", lang) and page.is_enabled("#compare")
    picks.nth(2).check()
    assert hint() == t("compare_too_many", lang) and page.is_disabled("#compare")
    picks.nth(2).uncheck()
    assert hint() == t("compare_ready", lang)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_compare_tables_fit_a_phone(page, proposal_id, more, lang):
    page.set_viewport_size(PHONE)
    page.goto(page.base + f"/proposals/compare?a={proposal_id}&b={more[1]}&lang={lang}")
    wait_map(page, "map-2")
    # the metrics' table and the townships'
    sizes = page.evaluate("""() => [...document.querySelectorAll('main table.data')].map(t => [
        t.querySelector('th').textContent, t.scrollWidth, t.clientWidth])""")
    assert len(sizes) == 2, sizes
    for name, scroll, client in sizes:
        assert scroll <= client + 1, (name, scroll, client)  # the "Change" column was off to the right
    change = page.locator("table#diff thead th").last
    assert change.inner_text() == t("cmp_change_b_minus_a", lang)  # which is taken from which (QA 22)
    box = change.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


# -- 3. a phone: the accounts' controls on the screen; the opened layer list beside the search ----------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_account_control_is_on_a_phone_screen(page, lang):
    users = page.app.extensions["coverplan"]["users"]
    have = {u.name for u in users.list()}
    for name, role, county in (("qa21-li", "planner", "420325"), ("qa21-viewer", "viewer", None), ("x" * 40, "viewer", None)):
        if name not in have:
            users.add(name, role, county, password="a-long-password-21", must_change=False)
    page.set_viewport_size(PHONE)
    page.goto(page.base + f"/admin?lang={lang}")
    poll_js(page, "document.querySelectorAll('#users-table tbody tr[data-name]').length >= 3")
    controls = page.evaluate("""() => [...document.querySelectorAll('#users-table tr[data-name] :is(select, button)')].map(e => {
        const r = e.getBoundingClientRect(); return [e.className, r.left, r.right, r.width]; })""")
    assert len(controls) >= 3 * 5
    for cls, left, right, width in controls:
        # the role list was cut at the screen's edge, Save / Reset password / Disable beyond it
        assert width > 0 and left >= 0 and right <= PHONE["width"], (cls, left, right)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    table = page.evaluate("[document.getElementById('users-table').scrollWidth, document.getElementById('users-table').clientWidth]")
    assert table[0] <= table[1] + 1, table
    # each list says what it is, the header being gone
    row = page.locator("#users-table tr[data-name='qa21-li']")
    assert row.locator("td").nth(1).get_attribute("data-label") == t("admin_role", lang)
    assert row.locator("td").nth(2).get_attribute("data-label") == t("county", lang)


SEARCH_AND_LIST = """() => {
  const s = document.querySelector('.map-search').getBoundingClientRect();
  const l = document.querySelector('.leaflet-control-layers');
  const b = l.getBoundingClientRect(), list = l.querySelector('.leaflet-control-layers-list');
  const m = document.getElementById('map').getBoundingClientRect();
  const input = document.querySelector('.map-search-input').getBoundingClientRect();
  const hit = document.elementFromPoint(input.left + 10, input.top + input.height / 2);
  return {expanded: l.classList.contains('leaflet-control-layers-expanded'), search: [s.left, s.top, s.right, s.bottom],
          list: [b.left, b.top, b.right, b.bottom], map: [m.left, m.top, m.right, m.bottom],
          scroll: list.scrollHeight, client: list.clientHeight, searchHit: hit && hit.classList.contains('map-search-input')};
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_opened_layer_list_leaves_the_search_visible_on_a_phone(page, lang):
    page.set_viewport_size(PHONE)
    page.goto(page.base + f"/map/welfare_home?lang={lang}")
    wait_map(page)
    assert page.evaluate(SEARCH_AND_LIST)["expanded"] is False  # folded to its button to start with
    toggle = page.locator(".leaflet-control-layers-toggle").bounding_box()
    page.mouse.move(toggle["x"] + toggle["width"] / 2, toggle["y"] + toggle["height"] / 2)  # a tap opens it
    poll_js(page, "document.querySelector('.leaflet-control-layers').classList.contains('leaflet-control-layers-expanded')")
    g = page.evaluate(SEARCH_AND_LIST)
    s, b, m = g["search"], g["list"], g["map"]
    # the list covered the search box: now they sit side by side
    assert s[2] <= b[0] or b[3] <= s[1], g
    assert g["searchHit"], g
    assert b[2] <= m[2] and b[3] <= m[3], g
    # the list scrolls within a bounded height (less than half the map) instead of running down the map
    assert g["client"] <= 0.5 * (m[3] - m[1]), g
    assert g["scroll"] >= g["client"]
    last = page.locator(".leaflet-control-layers-overlays label").last
    last.scroll_into_view_if_needed()
    assert last.is_visible()


# -- 4. the upload report: "Problem and fix" has the width to be read ---------------------------------------
UNKNOWN_CODE_CSV = ("名称,设施类型,乡镇代码,乡镇（街道）,县区,经度,纬度,地址,运营单位,联系电话,容量\n"
                    "未知乡镇测试,农村福利院,420399999,不存在乡,茅箭区,110.8,32.5,,,,30\n"
                    "北京测试,农村福利院,110101001,东华门街道,东城区,116.4,39.9,,,,30\n"
                    "负容量,农村福利院,420302201,茅塔乡,茅箭区,110.839,32.4912,,,,-5\n")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_upload_report_gives_the_problems_room(page, lang):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(page.base + f"/data?lang={lang}")
    page.select_option("#u-type", "welfare_home")
    page.set_input_files("#u-file", {"name": "unknown_code.csv", "mimeType": "text/csv",
                                     "buffer": UNKNOWN_CODE_CSV.encode("utf-8")})
    page.click("#u-check")
    poll_js(page, "document.getElementById('report').dataset.ready === '1'", timeout=60)
    head = page.locator("#issues thead th").nth(3)
    assert head.inner_text() == t("data_message", lang)
    # beside the preview map it was about 100 px wide: a word or two a line
    assert head.bounding_box()["width"] >= 300, head.bounding_box()
    cell = page.locator("#issues tbody tr").first.locator("td").nth(3)
    assert cell.bounding_box()["height"] <= 110, cell.bounding_box()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366


# -- 5. a sized solve shows its time against its limit ---------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_sized_solve_shows_its_time_against_its_limit(page, lang):
    app = page.app
    before = app.config.get("SOLVE_TIME_LIMIT")
    app.config["SOLVE_TIME_LIMIT"] = 6  # the server's cap: the MIP stops at 6 s, not the form's 60
    clock = re.compile(r"已用 (\d+) 秒，最多 6 秒$" if lang == "zh" else r"(\d+) s of at most 6 s$")
    try:
        page.goto(page.base + f"/proposals?lang={lang}")
        page.select_option("#p-type", "elderly_complex")
        page.select_option("#p-kind", "sized")
        page.fill("#p-name", f"qa21-sized-clock-{lang}")
        page.click("#p-submit")
        seen, bars, end = [], [], time.time() + 60
        while time.time() < end and "/proposals/" not in page.url:
            try:
                text = page.inner_text("#job-message", timeout=1000)
                bar = float(page.evaluate("parseFloat(document.getElementById('job-bar').style.width)"))
            except Exception:  # the page moved on to the saved proposal
                break
            m = clock.search(text)
            if m:
                seen.append(int(m.group(1)))
                bars.append(bar)
            time.sleep(0.4)
        page.wait_for_url("**/proposals/*", timeout=60_000)
    finally:
        app.config["SOLVE_TIME_LIMIT"] = before
    # the solve said its seconds against the limit, counting up, never past it (it sat at "20%" silently)
    assert len(seen) >= 3, seen
    assert seen == sorted(seen) and seen[-1] > seen[0] and max(seen) <= 6, seen
    assert max(bars) > 20, bars  # and the bar moved with it
