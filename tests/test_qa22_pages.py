"""QA 22 (pages): the /admin audit log scrolled sideways on a phone (six columns); each entry is now a block
of its own, each field with its label, as the accounts are."""
from __future__ import annotations

import pytest
from browser import browser, page, poll_js, server  # noqa: F401  (fixtures)

from planner.i18n import t

PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_audit_log_fits_a_phone(page, lang):
    users = page.app.extensions["coverplan"]["users"]
    users.audit("proposal_delete", obj="proposal " + "长名称" * 20,
                detail={"name": "一个很长很长的方案名称，用来检验换行" * 3}, ip="2001:db8::1234:5678:9abc:def0")
    page.set_viewport_size(PHONE)
    page.goto(page.base + f"/admin?lang={lang}")
    poll_js(page, "document.querySelectorAll('#audit-table tbody tr[class^=audit-]').length >= 1")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    table = page.evaluate("[document.getElementById('audit-table').scrollWidth, "
                          "document.getElementById('audit-table').clientWidth]")
    assert table[0] <= table[1] + 1, table
    cells = page.evaluate("""() => [...document.querySelectorAll('#audit-table tbody tr:first-child td')].map(e => {
        const r = e.getBoundingClientRect(); return [e.dataset.label || '', r.left, r.right]; })""")
    for label, left, right in cells:
        assert left >= 0 and right <= PHONE["width"], (label, left, right)
    # the header is gone, so each field says what it is
    labels = [c[0] for c in cells]
    assert labels[1:] == [t("auth_name", lang), t("admin_action", lang), t("admin_object", lang),
                          t("admin_detail", lang), "IP"], labels
    head = page.evaluate("getComputedStyle(document.querySelector('#audit-table thead')).display")
    assert head == "none"
    # the filter's fields stay on the screen
    for sel in ("#af-action", "#af-user", "#af-q", "#af-apply", "#audit-next"):
        box = page.locator(sel).bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (sel, box)


def test_the_audit_log_keeps_its_columns_on_a_desktop(page):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(page.base + "/admin?lang=en")
    poll_js(page, "document.querySelectorAll('#audit-table tbody tr').length >= 1")
    assert page.evaluate("getComputedStyle(document.querySelector('#audit-table thead')).display") != "none"
    assert page.evaluate("getComputedStyle(document.querySelector('#audit-table tbody tr')).display") == "table-row"


def test_compare_takes_the_older_proposal_as_a(page):
    """The saved list is newest first, and ticking two in list order made the newer one A, so "Change (B − A)"
    read older − newer. The older is A whatever was ticked first."""
    import time

    client = page.app.test_client()
    ids = []
    for p in (1, 2):
        r = client.post("/api/proposals?wait=120", json={"type": "charity_station", "model": "mclp", "p": p,
                                                        "name": f"qa22-cmp-{p}"})
        assert r.status_code == 201, r.data[:300]
        ids.append(r.get_json()["proposal"]["id"])
        time.sleep(1.1)  # created a second apart
    older, newer = ids
    page.goto(page.base + "/proposals?lang=en")
    poll_js(page, f"!!document.querySelector(\"#saved input[value='{newer}']\")")
    page.check(f"#saved input[value='{newer}']")
    page.check(f"#saved input[value='{older}']")
    page.click("#compare")
    page.wait_for_url("**/compare?*")
    assert f"a={older}" in page.url and f"b={newer}" in page.url, page.url


def test_a_refused_rename_says_the_name_that_was_typed(page):
    """After a refused rename (here a name too long; a colleague's edit meanwhile is refused the same way) the
    name typed in the prompt was gone, and the planner had to remember it."""
    from browser import wait_map

    page.goto(page.base + "/map/welfare_home?lang=en")
    wait_map(page)
    page.click("#edit-toggle")
    typed = "福利院" * 30  # 90 characters: more than a name may have
    answers = iter([typed, ""])
    page.on("dialog", lambda d: d.accept(next(answers, "")))
    page.evaluate("() => { const m = window.coverplanMaps.map; let done = false; m.layers.facilities.eachLayer(l => {"
                  " if (!done) { l.openPopup(); done = true; } }); }")
    page.click(".edit-actions .edit-rename")
    poll_js(page, "document.getElementById('edit-status').textContent.includes('The name you typed')")
    assert f'(The name you typed: "{typed}".)' in page.inner_text("#edit-status")
