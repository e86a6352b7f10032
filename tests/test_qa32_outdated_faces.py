"""QA 32, every face of "outdated" (a proposal is outdated when the data it was solved on changed, not any data).

1. The /plan CSV/XLSX title compared whole data versions: it called a proposal "not solved on the current data"
   that the /plan page, the list and the proposal page showed as current (its data unchanged).
2. The saved-proposal list did not show ``data_note`` / ``data_changed``: a proposal on an older version whose
   changes it does not use read "v0" without a word; an outdated one did not say what changed.
3. The proposal page and the brief read which layers the proposal rests on from a per-request record (flask.g);
   they read the proposal's own ``outdated`` now.
"""
from __future__ import annotations

import csv
import io
import re

import pytest

from planner.i18n import t
from browser import browser, page, poll_js, server  # noqa: F401,E402  (fixtures)

CJK = re.compile("[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def faces(server):
    """On v0: a charity-station proposal and a welfare-home upgrade; v1 edits the day-care register, v2 a welfare
    home: the charity one rests on neither (current, with a calm note), the upgrade on the second (outdated)."""
    c = server.app.test_client()
    ids = {}
    for key, body in (("calm", {"type": "charity_station", "model": "mclp", "p": 2, "name": "QA charity"}),
                      ("stale", {"type": "welfare_home", "kind": "upgrade", "k": 2, "name": "QA welfare"})):
        r = c.post("/api/proposals?wait=120", json=body)
        assert r.status_code == 201, r.data[:300]
        ids[key] = r.get_json()["proposal"]["id"]
    service = server.app.extensions["coverplan"]["service"]
    store = service.datasets
    fac = store.layers()["facilities"]
    store.commit_layer("facilities:day_care", fac[fac["facility_type"] == "day_care"].iloc[:6])  # v1
    wh = fac[fac["facility_type"] == "welfare_home"].copy()
    wh.loc[wh.index[0], "beds"] = float(wh.loc[wh.index[0], "beds"] or 0) + 7
    store.commit_layer("facilities:welfare_home", wh)  # v2
    assert service.version() == 2
    return ids


def _rows(c, lang) -> dict:
    return {p["id"]: p for p in c.get(f"/api/proposals?lang={lang}").get_json()}


def _named(name: str, lang: str) -> str:
    label = f"{t('data_version_label', lang)} v0"
    return f"{name} ({label})" if lang == "en" else f"{name}（{label}）"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_plan_exports_title_agrees_with_the_page(server, faces, lang):
    c = server.app.test_client()
    rows = _rows(c, lang)
    # what /plan (its picker reads the list's ``outdated``), the proposal page and its brief say
    assert rows[faces["calm"]]["outdated"] is False and rows[faces["stale"]]["outdated"] is True
    for key, stale in (("calm", False), ("stale", True)):
        page_html = c.get(f"/proposals/{faces[key]}?lang={lang}").get_data(as_text=True)
        brief = c.get(f"/proposals/{faces[key]}/brief?lang={lang}").get_data(as_text=True)
        assert ('id="stale-version"' in page_html) is stale and ('id="rerun"' in page_html) is stale, key
        assert ('id="brief-outdated"' in brief) is stale, key
    sentence = lambda name: t("plan_export_stale", lang, list=_named(name, lang), cur=2)  # noqa: E731
    for fmt in ("csv", "xlsx") if lang == "en" else ("csv",):
        body = c.get(f"/plan/targets.{fmt}?proposals={faces['calm']},{faces['stale']}&lang={lang}").data
        if fmt == "csv":
            table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
        else:
            from openpyxl import load_workbook
            ws = load_workbook(io.BytesIO(body)).active
            table = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
        title = table[0][0]
        # both named with their version; only the one whose data changed called not solved on the current data
        assert _named("QA charity", lang) in title and _named("QA welfare", lang) in title
        assert sentence("QA welfare") in title, title
        assert sentence("QA charity") not in title and "QA charity" not in title.split(sentence("QA welfare"))[1]
        # the rows: the welfare-home target's "after" rests on changed data, the charity stations' on unchanged
        notes = {r[0]: r[6] for r in table[2:] if "v0" in r[6]}
        charity = server.app.extensions["coverplan"]["service"].get_type("charity_station").name(lang)
        home = server.app.extensions["coverplan"]["service"].get_type("welfare_home").name(lang)
        assert set(notes) == {charity, home}, notes
        assert t("plan_after_versions", lang, versions="v0", cur=2) in notes[home]
        assert t("qa32fe_after_versions_unaffected", lang, versions="v0", cur=2) in notes[charity]
        assert t("plan_after_versions", lang, versions="v0", cur=2) not in notes[charity]
        if lang == "en":
            assert not CJK.search(title.replace("示意", "")), title
    # the charity proposal alone: no proposal called stale
    title = list(csv.reader(io.StringIO(c.get(f"/plan/targets.csv?proposals={faces['calm']}&lang={lang}")
                                        .data.decode("utf-8-sig"))))[0][0]
    assert _named("QA charity", lang) in title
    assert ("not solved on the current data" if lang == "en" else "不是在当前数据") not in title, title


def test_the_pages_outdated_needs_no_record_of_the_request(server, faces):
    """is_current(version) without layers compares every layer, whatever pages were shown in the request: the
    templates read the proposal's own ``outdated`` (web.proposals.data_state)."""
    service = server.app.extensions["coverplan"]["service"]
    assert not hasattr(service, "show_dependencies") and not hasattr(service, "shown_dependencies")
    with server.app.test_request_context("/"):
        from web.proposals import saved, view
        assert view(saved(faces["calm"]), "en")["outdated"] is False
        assert not service.is_current(0)  # the data did change, in layers it does not rest on


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_list_shows_the_data_note_and_what_changed(page, faces, lang):
    rows = _rows(page.app.test_client(), lang)
    page.goto(page.base + f"/proposals?lang={lang}")
    poll_js(page, "document.getElementById('saved').dataset.rows && document.getElementById('saved').dataset.rows !== 'error'")

    def cell(pid):
        return page.evaluate(f"""(() => {{ const td = document.querySelector("#saved tr[data-id='{pid}'] td.scope-data");
            const calm = td.querySelector('.data-unchanged'), tag = td.querySelector('.outdated-tag');
            return {{text: td.innerText, calm: calm && calm.innerText.trim(), calmTitle: calm && calm.title,
                     tag: tag && tag.innerText.trim(), tagTitle: tag && tag.title}}; }})()""")
    calm, stale = cell(faces["calm"]), cell(faces["stale"])
    # its data unchanged: said calmly, the note on hover, no warning
    assert calm["calm"] == t("qa32fe_unaffected_short", lang) and calm["tag"] is None, calm
    assert calm["calmTitle"] == rows[faces["calm"]]["data_note"] and "v0" in calm["calmTitle"]
    # its data changed: the warning stays, saying what changed and that its page solves it again
    assert stale["tag"] == t("list_outdated", lang) and stale["calm"] is None, stale
    changed = t("qa32fe_changed", lang, layers=rows[faces["stale"]]["data_changed"][0])
    assert changed in stale["tagTitle"] and t("list_outdated_tip", lang, v=0, cur=2) in stale["tagTitle"], stale
    if lang == "en":
        assert not CJK.search(calm["text"] + calm["calmTitle"] + stale["text"] + stale["tagTitle"]), (calm, stale)
    # the /plan picker says the same of both
    page.goto(page.base + f"/plan?proposals={faces['calm']}&lang={lang}")
    poll_js(page, "document.querySelectorAll('#plan-proposals input.pick').length > 1")
    stale_on_plan = page.evaluate("""Object.fromEntries([...document.querySelectorAll('#plan-proposals tbody tr')]
        .map(r => [r.dataset.id, r.querySelector('.p-version').dataset.stale]))""")
    assert stale_on_plan[faces["calm"]] == "0" and stale_on_plan[faces["stale"]] == "1"
