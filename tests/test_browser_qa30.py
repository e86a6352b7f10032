"""QA 30, in a real browser: pages print their tables whole on A4 (the phone rules clipped them; then hid columns
and broke English words letter by letter, F12), and a viewer's proposal form and proposal page say why they are
locked in the viewer's words."""
from __future__ import annotations


import pytest

from browser import *  # noqa: F401,F403
from browser import served

pytestmark = pytest.mark.browser
PW = "browser-qa30-pw"
A4_PX = 718  # 210 mm less 2 x 10 mm margins, at 96 px an inch


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa30") / "p.sqlite"), "AUTH": "required"})
    users = app.extensions["coverplan"]["users"]
    users.add("wang", "planner", "420325", password=PW, must_change=False)
    users.add("guest", "viewer", password=PW, must_change=False)
    users.add("boss", "admin", password=PW, must_change=False)
    with served(app) as srv:
        yield srv


@pytest.fixture(scope="module")
def county_proposal(server):
    """A 房县 proposal saved by its county planner (through the API, CSRF and all)."""
    c = server.app.test_client()
    origin = {"Origin": "http://localhost"}
    token = c.get("/api/csrf").get_json()["token"]
    head = {**origin, "X-CSRF-Token": token}
    assert c.post("/login", json={"name": "wang", "password": PW}, headers=head).status_code == 200
    token = c.get("/api/csrf").get_json()["token"]  # a new session, a new token
    resp = c.post("/api/proposals?wait=60", json={"type": "elderly_complex", "model": "mclp", "p": 2, "county": "420325"},
                  headers={**origin, "X-CSRF-Token": token})
    assert resp.status_code == 201, resp.data[:300]
    # then an edit: the proposal is on an older data version, and its page offers the re-run
    f = server.app.extensions["coverplan"]["service"].region.facilities
    # (an edit of the proposal's own type in its county: since QA 32 another type's edit leaves it current)
    fid = str(f[(f["facility_type"] == "elderly_complex") & (f["county_code"] == "420325")]["id"].iloc[0])
    edit = c.post("/api/data/edits", json={"action": "rename", "type": "elderly_complex", "id": fid, "name": "改名综合体"},
                  headers={**origin, "X-CSRF-Token": token})
    assert edit.status_code in (200, 201), edit.data[:300]
    return resp.get_json()["proposal"]["id"]


def log_in(page, name, path):
    page.goto(page.base + path)
    page.fill("#login-name", name)
    page.fill("#login-password", PW)
    page.click("#login-submit")
    page.wait_for_url("**" + path)


#: Per visible table.data (by id, else its place): how many columns its header row shows.
COLUMNS = """() => Object.fromEntries(Array.from(document.querySelectorAll('table.data')).filter(t => t.offsetParent)
    .map((t, i) => [t.id || ('#' + i), Array.from((t.tHead || t).rows[0].cells)
        .filter(c => getComputedStyle(c).display !== 'none').reduce((n, c) => n + c.colSpan, 0)]))"""

#: The words of the visible tables' header cells (and their first rows' cells) that break inside: a word's
#: letters on two lines ("Town / ship"). A word here runs between spaces, hyphens and slashes, the places a line
#: may break; Chinese words are left out (Chinese breaks between any two characters).
BROKEN_WORDS = """() => {
    const out = [];
    for (const t of Array.from(document.querySelectorAll('table.data')).filter(t => t.offsetParent)) {
        const cells = [...(t.tHead ? t.tHead.querySelectorAll('th') : []),
                       ...Array.from(t.tBodies[0] ? t.tBodies[0].rows : []).slice(0, 12).flatMap(r => Array.from(r.cells))];
        for (const c of cells) {
            if (getComputedStyle(c).display === 'none') continue;
            const walk = document.createTreeWalker(c, NodeFilter.SHOW_TEXT);
            for (let n = walk.nextNode(); n; n = walk.nextNode()) {
                const re = /[^\\s\\-\u2013\u2014\\/]{2,}/g;
                for (let m = re.exec(n.data); m; m = re.exec(n.data)) {
                    if (/[\u3000-\u9fff]/.test(m[0])) continue;
                    const r = document.createRange();
                    r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
                    const lines = new Set(Array.from(r.getClientRects()).filter(b => b.width > 0).map(b => Math.round(b.bottom)));
                    if (lines.size > 1) out.push((t.id || 'table') + ': ' + m[0]);
                }
            }
        }
    }
    return out;
}"""


@pytest.mark.parametrize(("path", "lang"), [("/townships", "zh"), ("/townships", "en"), ("/proposals/{pid}", "en"),
                                            ("/", "en")])
def test_printed_tables_keep_every_column_on_a4(page, county_proposal, path, lang):
    """Printed on A4 (718 px, under the phone width) a table shows every column the screen's does: the phone's
    rules hid the checklist's 代码/Code and the overview's section, standard and map-link columns on paper. And an
    English word breaks at its spaces only ("Town ship", "Maoji an Distri ct" when cells might break anywhere)."""
    log_in(page, "wang", "/")
    url = page.base + path.format(pid=county_proposal) + f"?lang={lang}"
    ready = ("#targets-table tbody tr", "#beds-table tbody tr", "#citywide-table tbody tr") if path == "/" \
        else ("table.data tbody tr",)

    def load(width):
        page.set_viewport_size({"width": width, "height": 1000})
        page.goto(url)
        for sel in ready:
            page.wait_for_selector(sel)
    load(1366)
    screen = page.evaluate(COLUMNS)
    load(A4_PX)
    phone = page.evaluate(COLUMNS)  # the control: at this width the screen hides columns (the phone's rules)
    page.emulate_media(media="print")
    paper = page.evaluate(COLUMNS)
    page.screenshot(path=str(ARTIFACTS / f"qa30-print-{path.strip('/').split('/')[0] or 'overview'}-{lang}.png"))
    assert paper == screen, (paper, screen)
    if path == "/townships":
        assert phone["checklist"] == screen["checklist"] - 1 >= 9  # 代码/Code: hidden on a phone, printed
        first = page.eval_on_selector("#checklist thead th", "th => th.textContent.trim()")
        assert first.startswith("代码" if lang == "zh" else "Code"), first
    if path == "/":
        for table in ("targets-table", "beds-table", "citywide-table"):
            assert phone[table] < screen[table], (table, phone, screen)
            assert page.eval_on_selector_all(f"#{table} .phone-hide",
                                             "cs => cs.length > 0 && cs.every(c => getComputedStyle(c).display "
                                             "=== 'table-cell')"), table
        assert page.eval_on_selector_all(".phone-only", "es => es.every(e => !e.offsetParent)")
    boxes = page.eval_on_selector_all(
        "table.data", "ts => ts.filter(t => t.offsetParent).map(t => [t.scrollWidth, t.clientWidth, "
                      "getComputedStyle(t).display, t.getBoundingClientRect().right])")
    assert boxes
    for scroll, client, display, right in boxes:
        assert display == "table"                  # not the phone's scroll box, which paper clips
        assert right <= A4_PX + 1 and scroll <= client + 1, boxes
    if lang == "en":
        assert page.evaluate(BROKEN_WORDS) == []
    page.emulate_media(media="screen")             # the phone's scrolling table on screen stays as it was
    assert page.eval_on_selector("table.data", "t => getComputedStyle(t).display") == "block"


def test_accounts_and_audit_log_print_as_tables(page, county_proposal):
    """On paper (A4, under the phone width) the accounts and the audit log are tables with their headers, as on a
    laptop: the phone's card layout (one labelled field a line) printed a page of audit entries on four."""
    log_in(page, "boss", "/admin")
    page.set_viewport_size({"width": A4_PX, "height": 1000})
    page.goto(page.base + "/admin?lang=en")
    page.wait_for_selector("#users-table tbody tr")
    page.wait_for_selector("#audit-table tbody tr")
    shown = """t => [getComputedStyle(t).display, getComputedStyle(t.tHead).display,
                     getComputedStyle(t.tBodies[0].rows[0]).display, getComputedStyle(t.tBodies[0].rows[0].cells[1]).display]"""
    for table in ("users-table", "audit-table"):  # the control: the phone's cards on this screen
        assert page.eval_on_selector(f"#{table}", shown) == ["block", "none", "block", "flex"], table
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "qa31-print-admin-en.png"), full_page=True)
    for table in ("users-table", "audit-table"):
        assert page.eval_on_selector(f"#{table}", shown) == ["table", "table-header-group", "table-row",
                                                             "table-cell"], table
        assert page.eval_on_selector(f"#{table} td[data-label]", "c => getComputedStyle(c, '::before').content") \
            == "none", table
    page.emulate_media(media="screen")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_administrator_renames_an_account_on_the_page(page, county_proposal, lang):
    """QA 31: the Rename by an account's name asks for the new name and says what stays."""
    log_in(page, "boss", "/admin")
    page.goto(page.base + f"/admin?lang={lang}")
    page.wait_for_selector("#users-table tr[data-name='guest']")
    page.once("dialog", lambda d: d.accept(f"guest_{lang}"))
    page.click("#users-table tr[data-name='guest'] .u-rename")
    page.wait_for_selector(f"#users-table tr[data-name='guest_{lang}']")
    said = page.inner_text("#users-status")
    assert said.startswith(f"已将 guest 改名为 guest_{lang}" if lang == "zh" else f"Renamed guest to guest_{lang}"), said
    page.screenshot(path=str(ARTIFACTS / f"qa31-admin-renamed-{lang}.png"), full_page=True)
    page.once("dialog", lambda d: d.accept("guest"))  # back, for the other tests
    page.click(f"#users-table tr[data-name='guest_{lang}'] .u-rename")
    page.wait_for_selector("#users-table tr[data-name='guest']")


def test_a_viewer_is_told_he_only_views(page, county_proposal):
    log_in(page, "guest", "/proposals")
    assert page.is_disabled("#p-submit")
    # a locked field looks locked (the number of sites was drawn white, as if it could be typed in)
    assert page.eval_on_selector("#p-p", "e => getComputedStyle(e).backgroundColor") != "rgb(255, 255, 255)"
    for model in ("mclp", "pmedian"):  # the model's handler re-enabled the number of sites
        page.eval_on_selector("#p-model", "(s, m) => { s.disabled = false; s.value = m; "
                              "s.dispatchEvent(new Event('change')); s.disabled = true; }", model)
        # (the property: Playwright's is_disabled also counts the aria-disabled the lock sets)
        assert page.eval_on_selector("#p-p", "e => e.disabled"), model
    page.goto(page.base + f"/proposals/{county_proposal}")
    page.wait_for_selector("#rerun", state="attached")  # shown when the data changed since; locked either way
    poll_js(page, "document.getElementById('rerun').disabled")
    title = page.get_attribute("#rerun", "title")
    assert "只有查看权限" in title and "本县区" not in title
    # said on the page too (a phone shows no tooltip)
    assert "只有查看权限" in page.inner_text("#readonly-note")


def test_a_county_planners_file_wholly_outside_his_county_says_only_that_it_is_refused(page, tmp_path):
    """All rows in another county: "this file's 0 facilities replace the 18 now in 房县" stood beside "Nothing
    will be imported", as if his county's facilities would be removed."""
    from test_qa29_carried import register_of

    path = tmp_path / "郧西.csv"
    path.write_bytes(register_of(page.app.extensions["coverplan"]["service"].region, "420322", 2, "郧西"))
    log_in(page, "wang", "/data")
    poll_js(page, "document.getElementById('versions').dataset.ready === '1'")
    page.select_option("#u-kind", "facilities")
    page.set_input_files("#u-file", str(path))
    page.click("#u-check")
    poll_js(page, "document.getElementById('report').dataset.ready === '1'")
    assert page.eval_on_selector("#r-confirm", "e => e.disabled")
    assert page.eval_on_selector("#r-replace", "e => e.hidden"), page.inner_text("#r-replace")
    assert "不会导入任何行" in page.inner_text("#report")
