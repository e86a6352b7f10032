"""QA 32 (fixer QA32-FI): re-solving a saved proposal, the brief's 示意 label, the version comparison's renames.

1. An upgrade's re-solve opened the new proposal alone under a button that promised a comparison, and every click
   saved another copy of the same name. The button says what it does for an upgrade; the new proposal's page says
   how it differs (GET /api/proposals/<id>/rerun-diff: both proposals' figures, the facilities added and dropped);
   a planner's second click on the same data version opens his re-solve (or follows its solve) instead of saving a
   copy; another planner's re-solve is his own, under a name of its own ("… #2").
2. The brief cut a sample facility's name with "…" and its "(示意)" with it: the label now stays after the cut
   name, on screen (1366 px, 390 px) and on paper (print media, one A4 page), in Chinese and English.
3. The data page's comparison named a renamed facility by its new name alone: it gives the old name, the id and
   the new name (and a changed type), as the version notes do.
"""
from __future__ import annotations

import html as html_lib
import re
import time

import pytest

from accounts import accounts_app, signed_in
from browser import *  # noqa: F401,F403
from browser import ARTIFACTS, wait_map
from planner.i18n import t

PAGE_OBJECT = re.compile(rb"/Type\s*/Page[^s]")


# -- 1. re-solving an upgrade -------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa32fi"), (("boss", "admin", None), ("city", "planner", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


def _done(app, job_id: str) -> str:
    job = app.extensions["coverplan"]["jobs"].wait(job_id, timeout=120)
    assert job.state == "done", (job.state, job.error)
    return job.result["proposal_id"]


def _reruns(app, pid: str) -> list[dict]:
    return [r for r in app.extensions["coverplan"]["store"].list() if r["params"].get("rerun_of") == pid]


@pytest.fixture(scope="module")
def upgraded(app):
    """An upgrade of 5 mutual-aid centres solved on v0; v1 removes one it chose, v2 renames one it did not."""
    boss = signed_in(app, "boss")
    r = boss.post("/api/proposals?wait=120", json={"type": "mutual_aid", "kind": "upgrade", "k": 5})
    assert r.status_code == 201, r.get_json()
    p = r.get_json()["proposal"]
    chosen = [s["id"] for s in p["sites"]]
    fac = app.extensions["coverplan"]["service"].region.facilities
    others = fac[(fac["facility_type"] == "mutual_aid") & ~fac["id"].astype(str).isin(chosen)]
    renamed = others.iloc[0]
    e = boss.post("/api/data/edits", json={"action": "remove", "type": "mutual_aid", "id": chosen[0]})
    assert e.status_code == 200 and e.get_json()["version"] == 1, e.get_json()
    e = boss.post("/api/data/edits", json={"action": "rename", "type": "mutual_aid", "id": str(renamed["id"]),
                                           "name": "上津镇互助中心（改名测试）"})
    assert e.status_code == 200 and e.get_json()["version"] == 2, e.get_json()
    return {"id": p["id"], "name": p["name"], "chosen": chosen, "removed": chosen[0],
            "renamed": (str(renamed["id"]), str(renamed["name"]))}


def test_an_upgrades_button_says_it_solves_again_and_the_others_still_compare(app, upgraded):
    boss = signed_in(app, "boss")
    zh = boss.get(f"/proposals/{upgraded['id']}?lang=zh").get_data(as_text=True)
    button = re.search(r'<button type="button" id="rerun"[^>]*>([^<]*)</button>', zh)
    assert button and button.group(1) == "按当前数据重新计算", zh[:200]
    assert t("qa32fi_rerun_upgrade_tip", "zh") in button.group(0)  # says where the differences are shown
    en = boss.get(f"/proposals/{upgraded['id']}?lang=en").get_data(as_text=True)
    assert re.search(r'id="rerun"[^>]*>Solve again on the current data</button>', en)
    assert "and compare" not in re.search(r'id="rerun"[^>]*>[^<]*', en).group(0)


def test_a_second_click_opens_the_re_solve_and_the_new_page_says_what_changed(app, upgraded):
    boss = signed_in(app, "boss")
    pid = upgraded["id"]
    first = boss.post(f"/api/proposals/{pid}/rerun?lang=zh")
    assert first.status_code == 202, first.get_json()
    assert first.get_json()["compare"] == "/proposals/"
    # a double click: the second follows the first's solve, or opens what it saved; it starts nothing
    second = boss.post(f"/api/proposals/{pid}/rerun?lang=zh").get_json()
    new = _done(app, first.get_json()["id"])
    if second["reused"] == "job":
        assert second["id"] == first.get_json()["id"]
    else:
        assert second["result"]["proposal_id"] == new
    assert len(_reruns(app, pid)) == 1
    # a later click on the same data version: his re-solve is opened, not saved again
    for lang in ("zh", "en"):
        again = boss.post(f"/api/proposals/{pid}/rerun?lang={lang}")
        assert again.status_code == 200, again.get_json()
        body = again.get_json()
        assert body["reused"] == "proposal" and body["result"]["proposal_id"] == new
        assert body["compare"] + new == f"/proposals/{new}"
        from web.proposals import display_name
        saved_name = display_name(app.extensions["coverplan"]["store"].get(new), lang)  # in the page's language
        assert body["reused_text"] == t("qa32fi_reused", lang, v=2, name=saved_name)
    assert len(_reruns(app, pid)) == 1
    # another planner's click: his own copy (his to rename or delete), named apart from the first
    city = signed_in(app, "city")
    r = city.post(f"/api/proposals/{pid}/rerun")
    assert r.status_code == 202, r.get_json()
    other = _done(app, r.get_json()["id"])
    names = sorted(x["name"] for x in _reruns(app, pid))
    assert len(names) == 2 and len(set(names)) == 2 and names[1] == names[0] + " #2", names

    # the new proposal's page: a card filled from the differences
    page = boss.get(f"/proposals/{new}?lang=zh").get_data(as_text=True)
    assert 'id="rerun-diff"' in page and f'data-url="/api/proposals/{new}/rerun-diff"' in page
    assert 'id="rerun-diff"' not in boss.get(f"/proposals/{pid}?lang=zh").get_data(as_text=True)
    for lang in ("zh", "en"):
        d = boss.get(f"/api/proposals/{new}/rerun-diff?lang={lang}").get_json()
        old_name = boss.get(f"/api/proposals/{pid}?lang={lang}").get_json()["name"]
        assert d["rerun_of"] == pid and d["old"]["version"] == 0 and d["new"]["version"] == 2
        assert d["lines"][0] == t("qa32fi_diff_intro", lang, name=old_name, a=0, b=2)
        assert d["headers"][1:] == [t("qa32fi_diff_old", lang, v=0), t("qa32fi_diff_new", lang, v=2)]
        # the figures: before → after of each, as the page words them, and how many it chose
        rows = {r["label"]: r for r in d["rows"]}
        served = next(r for label, r in rows.items() if label.startswith("已服务" if lang == "zh" else "Served"))
        assert "→" in served["old"] and "→" in served["new"], served
        assert rows[t("qa32fi_diff_n_chosen", lang)] == {"label": t("qa32fi_diff_n_chosen", lang), "old": "5", "new": "5"}
        # the facility the data removed is dropped, another chosen in its place, the other four kept
        s = d["sites"]
        assert len(s["dropped"]) == 1 and upgraded["removed"] in s["dropped"][0] and len(s["added"]) == 1
        assert s["kept"] == 4
        assert t("qa32fi_diff_dropped", lang, n=1, names=s["dropped"][0]) in d["lines"]
        assert t("qa32fi_diff_added", lang, n=1, names=s["added"][0]) in d["lines"]
        assert d["compare"] is None and d["old"]["url"] == f"/proposals/{pid}"
    # a proposal that is no re-solve: nothing to say
    assert boss.get(f"/api/proposals/{pid}/rerun-diff").get_json()["rerun_of"] is None
    # the earlier one deleted: said, not a 500
    assert boss.delete(f"/api/proposals/{pid}").status_code == 200
    d = boss.get(f"/api/proposals/{other}/rerun-diff?lang=en").get_json()
    assert d["old"] is None and d["lines"] == [t("qa32fi_diff_gone", "en", v=2, id=pid)]


def test_a_new_sites_re_solve_links_to_the_side_by_side_comparison(app):
    boss = signed_in(app, "boss")
    r = boss.post("/api/proposals?wait=120", json={"type": "elderly_complex", "model": "mclp", "p": 2})
    assert r.status_code == 201, r.get_json()
    pid = r.get_json()["proposal"]["id"]
    job = boss.post(f"/api/proposals/{pid}/rerun").get_json()
    new = _done(app, job["id"])
    d = boss.get(f"/api/proposals/{new}/rerun-diff?lang=en").get_json()
    assert d["compare"] == f"/proposals/compare?a={pid}&b={new}" and d["sites"] is None
    assert job["compare"] + new == d["compare"]
    assert rows_labelled(d, t("qa32fi_diff_n_sites", "en")) == {"old": "2", "new": "2"}


def rows_labelled(d: dict, label: str) -> dict:
    r = next(r for r in d["rows"] if r["label"] == label)
    return {"old": r["old"], "new": r["new"]}


# -- 3. the comparison names a renamed facility by its old name, its id and its new name ----------------------------
def test_the_version_comparison_names_the_old_name_the_id_and_the_new_name(app, upgraded):
    boss = signed_in(app, "boss")
    fid, old = upgraded["renamed"]
    zh = boss.get("/api/data/diff?a=0&b=2&lang=zh").get_json()["lines"]
    assert f"名称或类型变化的设施 1 处：{old}（{fid}）→ 上津镇互助中心（改名测试）" in zh, zh
    en = boss.get("/api/data/diff?a=0&b=2&lang=en").get_json()["lines"]
    assert f"1 facility renamed or retyped: {old} ({fid}) → 上津镇互助中心（改名测试）" in en, en


def test_a_retyped_facility_says_both_types():
    from web.data import diff_lines

    class Type:
        def __init__(self, zh, en):
            self.words = {"zh": zh, "en": en}

        def name(self, lang):
            return self.words[lang]
    types = {"day_care": Type("日间照料中心", "Day-care centre"), "mutual_aid": Type("互助照料中心", "Mutual-aid centre")}
    rows = [{"id": "day_care-0001", "name": "甲中心", "name_before": "甲中心", "facility_type": "mutual_aid",
             "facility_type_before": "day_care"},
            {"id": "day_care-0002", "name": "乙新名", "name_before": "乙旧名", "facility_type": "day_care",
             "facility_type_before": "day_care"}]
    zh = diff_lines({"facilities": {"changed": rows}}, "zh", types=types)[0]
    assert zh == "名称或类型变化的设施 2 处：甲中心（day_care-0001）：日间照料中心 → 互助照料中心；乙旧名（day_care-0002）→ 乙新名"
    en = diff_lines({"facilities": {"changed": rows}}, "en", types=types)[0]
    assert en == ("2 facilities renamed or retyped: 甲中心 (day_care-0001): Day-care centre → Mutual-aid centre; "
                  "乙旧名 (day_care-0002) → 乙新名")


# -- 2. the brief keeps a sample facility's 示意 label ---------------------------------------------------------------
@pytest.fixture(scope="module")
def day_care(server):
    r = server.app.test_client().post("/api/proposals?wait=120", json={"type": "day_care", "model": "mclp", "p": 10})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["result"]["proposal_id"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_brief_keeps_the_label_apart_from_the_cut_name(server, day_care, lang):
    html = server.app.test_client().get(f"/proposals/{day_care}/brief?lang={lang}").get_data(as_text=True)
    cells = re.findall(r'<span class="one-line">(.*?)</span></span>', html)
    assert len(cells) == 10
    labelled = [c for c in cells if "示意" in c]
    assert labelled, cells[:2]  # the sample register's names
    for c in labelled:
        cut = html_lib.unescape(re.search(r'<span class="cut"[^>]*>([^<]*)</span>', c).group(1))
        assert not cut.endswith("(示意)") and '<span class="keep-label">(示意)</span>' in c, c
        assert re.search(r'<span class="cut" title="[^"]*\(示意\)"', c)  # the whole name as its title


LABEL_JS = """() => Array.from(document.querySelectorAll('#brief-sites .one-line')).map(s => {
    const td = s.closest('td').getBoundingClientRect(), cut = s.querySelector('.cut'), l = s.querySelector('.keep-label');
    if (!/示意/.test(s.textContent)) return null;
    if (!l) return {missing: s.textContent};
    const r = l.getBoundingClientRect(), c = cut.getBoundingClientRect(), st = getComputedStyle(l);
    // after the name: beside its (cut) end, or on the next line where a phone lets the name wrap
    return {text: l.textContent, inside: r.width > 0 && r.left >= td.left - 0.5 && r.right <= td.right + 0.5,
            after: r.left >= c.right - 0.5 || r.top >= c.top + 1, shown: st.visibility !== 'hidden' && st.display !== 'none',
            truncated: cut.scrollWidth > cut.clientWidth + 0.5};
}).filter(x => x)"""


def _labels_seen(page, where) -> list[dict]:
    cells = page.evaluate(LABEL_JS)
    assert cells, where
    for c in cells:
        assert "missing" not in c, (where, c)
        assert c["text"] == "(示意)" and c["inside"] and c["after"] and c["shown"], (where, c)
    return cells


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_label_is_seen_on_screen_and_on_paper(page, day_care, lang):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{page.base}/proposals/{day_care}/brief?lang={lang}")
    wait_map(page)
    # the sheet is in mm on a wide screen, as it prints: the longest names are cut there, their label kept
    assert any(c["truncated"] for c in _labels_seen(page, "1366")), "no name is cut: the case is not exercised"
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the names wrap
    _labels_seen(page, "390")
    # on paper: A4 less its 10 mm margins (190 mm), print media; a register's name longer than the sample's (put in
    # the first row here) keeps its label on the page too
    page.set_viewport_size({"width": 718, "height": 1000})
    page.emulate_media(media="print")
    _labels_seen(page, "print")
    page.evaluate("""() => { document.querySelector('#brief-sites .one-line .cut').textContent =
        '十堰市郧阳区茶店镇樱桃沟村村民委员会老年人日间照料服务中心'; }""")
    _labels_seen(page, "print, a long name")
    right = page.evaluate("() => document.querySelector('#brief-sites .keep-label').getBoundingClientRect().right")
    assert right <= 718.5, right
    page.reload()  # the PDF of the brief as served
    wait_map(page)
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"qa32fi-brief-day-care-{lang}.pdf").write_bytes(pdf)
    assert len(PAGE_OBJECT.findall(pdf)) == 1


# -- 1, in the browser: the button on an upgrade's page, the new page's card, a second click --------------------------
@pytest.mark.browser
def test_an_upgrades_re_solve_opens_its_differences_and_a_second_click_opens_it_again(page):
    client = page.base.app.test_client()
    r = client.post("/api/proposals?wait=120", json={"type": "mutual_aid", "kind": "upgrade", "k": 4})
    assert r.status_code == 201, r.get_json()
    pid, chosen = r.get_json()["proposal"]["id"], [s["id"] for s in r.get_json()["proposal"]["sites"]]
    e = client.post("/api/data/edits", json={"action": "remove", "type": "mutual_aid", "id": chosen[-1]})
    assert e.status_code == 200, e.get_json()
    page.goto(f"{page.base}/proposals/{pid}?lang=zh")
    assert page.inner_text("#rerun") == "按当前数据重新计算"
    page.click("#rerun")
    page.wait_for_url(re.compile(r"/proposals/(?!%s)[0-9a-f]{10}$" % pid), timeout=60000)
    new = page.url.rsplit("/", 1)[1]
    page.wait_for_selector("#rerun-diff[data-ready='1']", timeout=30000)
    assert page.locator("#rerun-diff-table tbody tr").count() >= 4  # served, share, demand, facilities chosen
    text = page.inner_text("#rerun-diff")
    assert "不再选中 1 处" in text and chosen[-1] in text and "新选中 1 处" in text, text
    assert page.get_attribute("#rerun-diff-old", "href") == f"/proposals/{pid}"
    page.set_viewport_size({"width": 390, "height": 844})
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "qa32fi-rerun-diff-390.png"), full_page=True)
    # again from the earlier one: the same re-solve opens, nothing is saved again
    page.goto(f"{page.base}/proposals/{pid}?lang=en")
    assert page.inner_text("#rerun") == "Solve again on the current data"
    page.click("#rerun")
    page.wait_for_url(f"**/proposals/{new}", timeout=30000)
    store = page.base.app.extensions["coverplan"]["store"]
    assert [x["id"] for x in store.list() if x["params"].get("rerun_of") == pid] == [new]
    page.wait_for_selector("#rerun-diff[data-ready='1']", timeout=30000)
    assert "1 no longer chosen" in page.inner_text("#rerun-diff")
