"""QA6 fixes: upgrade gains say their basis, shares and counts in sized/upgrade pages and files,
the saved-proposals table at 1100 px, /plan's count of upgraded sites, map edit mode, the brief's key."""
from __future__ import annotations

import csv
import io

import pytest

from browser import *  # noqa: F401,F403  (server, browser, page fixtures)
from planner.i18n import share_text, t


def test_upgrade_gains_say_they_assume_the_other_sites_and_give_the_stand_alone_gain(shiyan):
    from planner.upgrades import propose_upgrades

    plan = propose_upgrades(shiyan, "mutual_aid", 5)
    s = plan.sites
    assert "added_alone" in s and (s["added_alone"] >= -1e-6).all()
    # the case QA found: every site adds ~0 given the others, yet the total rises; the stand-alone
    # figure shows where the rise comes from
    assert plan.after["served"] - plan.before["served"] > 1
    assert s["added_alone"].max() > 1
    for zh, en, alone in zip(s["reason_zh"], s["reason_en"], s["added_alone"]):
        assert "在其他选中点位已改造的前提下" in zh and f"单独改造可新增{alone:,.0f}人" in zh
        assert "given the other chosen sites upgraded" in en and f"{alone:,.0f} more if upgraded alone" in en
        assert "100%" not in zh and "100%" not in en  # a share short of full never reads 100 %
    assert "其他选中点位已改造时" in t("capw_added_served", "zh")
    assert "given the others upgraded" in t("capw_added_served", "en")


def test_exported_cells_whole_numbers_as_integers_and_no_rounded_up_full_share():
    from web.exports import _cell

    assert _cell("utilisation", 0.9999, "zh", "csv") == "99.99%"
    assert _cell("utilisation", 0.99999, "zh", "csv") == "<100%"
    assert _cell("utilisation", 1.0, "zh", "csv") == "100.0%"
    assert _cell("load", 9999.0, "zh", "csv") == 9999 and isinstance(_cell("load", 9999.0, "zh", "csv"), int)
    assert _cell("size", 100.0, "zh", "csv") == 100 and isinstance(_cell("size", 100.0, "zh"), int)
    assert _cell("added_served", 43.67, "en", "csv") == 44  # whole people, as the page shows them
    assert _cell("lon", 110.0, "zh", "csv") == 110.0 and isinstance(_cell("lon", 110.0, "zh", "csv"), float)
    assert _cell("capacity_after", 42.5, "zh", "csv") == 42.5


@pytest.fixture(scope="module")
def props(server):
    c = server.app.test_client()
    out = {}
    for tag, body in (("upgrade", {"type": "welfare_home", "kind": "upgrade", "k": 5}),
                      # 3 sites: the default 8 take ~50 s to close HiGHS's 0.01 % gap (bench/README.md)
                      ("sized", {"type": "elderly_complex", "kind": "sized", "budget_sites": 3}),
                      ("long", {"type": "day_care", "p": 5, "name": "<b>" + "x" * 60 + "</b>日照\"50\"处"})):
        resp = c.post("/api/proposals?wait=120", json=body)
        assert resp.status_code == 201, resp.data[:300]
        out[tag] = resp.get_json()["proposal"]
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_upgrade_page_and_csv_label_the_basis_and_show_the_stand_alone_gain(server, props, lang):
    c = server.app.test_client()
    pid = props["upgrade"]["id"]
    html = c.get(f"/proposals/{pid}?lang={lang}").get_data(as_text=True)
    assert t("capw_added_served", lang) in html and t("capw_added_alone", lang) in html
    rows = list(csv.reader(io.StringIO(c.get(f"/api/proposals/{pid}.csv?lang={lang}").data.decode("utf-8-sig"))))
    head = rows[1]
    # each followed by whom the people count since QA 28 ("…（80岁以上老人）")
    people = "（80岁以上老人）" if lang == "zh" else " (people aged 80+)"
    assert t("capw_added_served", lang) + people in head and t("capw_added_alone", lang) + people in head, head
    for r in rows[2:]:
        for col in ("capw_capacity_before", "capw_capacity_after", "capw_added_served", "capw_added_alone"):
            # the capacity headers carry their unit since QA 14 (改造前容量（张床位）)
            i = next(k for k, h in enumerate(head) if h == t(col, lang) or h.startswith(t(col, lang) + ("（" if lang == "zh" else " (")))
            assert "." not in r[i], (col, r)  # no "0.0", "100.0"


def test_sized_page_and_csv_never_read_a_share_short_of_full_as_100(server, props):
    c = server.app.test_client()
    pid = props["sized"]["id"]
    sites = props["sized"]["sites"]
    short = [s for s in sites if 0.995 <= s["utilisation"] < 1]
    html = c.get(f"/proposals/{pid}?lang=zh").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(c.get(f"/api/proposals/{pid}.csv?lang=zh").data.decode("utf-8-sig"))))
    head = rows[1]
    util = [r[head.index(t("capw_utilisation", "zh"))] for r in rows[2:]]
    # the served column names whose people it counts (服务人数（60岁以上老人）, QA 26)
    load_col = next(i for i, h in enumerate(head) if h.startswith(t("capw_load", "zh") + "（"))
    load = [r[load_col] for r in rows[2:]]
    # the size column names its unit (规模（个日托位）, QA 25)
    size_col = next(i for i, h in enumerate(head) if h.startswith(t("capw_size", "zh") + "（"))
    size = [r[size_col] for r in rows[2:]]
    assert all("." not in x for x in load + size), (load, size)
    for s, u in zip(sites, util):
        if s["utilisation"] < 1:
            assert not u.startswith("100"), u
    # the page shows the same rule: each short site's share as share_text writes it, never "100…"
    for s in short:
        assert share_text(s["utilisation"]) in html and not share_text(s["utilisation"]).startswith("100")


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("width", [1100, 1280])
def test_saved_proposals_delete_fits_the_card(page, props, lang, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(page.base + f"/proposals?lang={lang}")
    page.locator("#saved .del").first.wait_for()
    box = page.evaluate("""() => {
        const t = document.querySelector('#saved'), c = t.closest('.card').getBoundingClientRect();
        const dels = [...t.querySelectorAll('.del')].map(b => b.getBoundingClientRect().right);
        return {scroll: t.parentElement.scrollWidth - t.parentElement.clientWidth, card: c.right, del: Math.max(...dels)};
    }""")
    assert box["scroll"] <= 1 and box["del"] < box["card"], box


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_plan_counts_an_upgrade_as_upgraded_sites(page, props, lang):
    page.goto(page.base + f"/plan?lang={lang}")
    row = page.locator(f"#plan-proposals tr[data-id='{props['upgrade']['id']}'] .n-sites")
    row.wait_for()
    assert row.inner_text().strip() == t("plan_sites_upgraded", lang).replace("{n}", "5")
    other = page.locator(f"#plan-proposals tr[data-id='{props['long']['id']}'] .n-sites").inner_text().strip()
    assert other == t("plan_sites_new", lang).replace("{n}", "5")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_map_edit_keeps_new_proposal_in_the_row_and_confirms_after_the_reload(page, lang, shiyan):
    from browser import click_map_at, wait_map
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(page.base + f"/map/day_care?lang={lang}")
    wait_map(page)
    page.click("#edit-toggle")
    tops = page.evaluate("""() => ({btn: document.querySelector('.toolbar a.btn:last-of-type').getBoundingClientRect().top,
                                    toggle: document.querySelector('#edit-toggle').getBoundingClientRect().top})""")
    assert abs(tops["btn"] - tops["toggle"]) < 5, tops
    answers = iter([f"QA6 {lang}", ""])
    page.on("dialog", lambda d: d.accept(next(answers, "")))
    # a point of its own per language, zoomed in so that no existing marker is under the click
    spot = shiyan.townships.iloc[60 if lang == "zh" else 61].geometry.representative_point()
    at = f"L.latLng({spot.y}, {spot.x})"
    page.evaluate(f"() => {{ window.coverplanMaps.map.map.setView([{spot.y}, {spot.x}], 13, {{animate: false}}); "
                  "window.coverplanMaps.map.layers.uncovered_units.remove(); }")
    with page.expect_navigation():
        click_map_at(page, at)
    wait_map(page)
    status = page.locator("#edit-status").inner_text()
    assert status.startswith(t("edit_done_after_reload", lang).split("{v}")[0]), status
    page.evaluate(f"() => {{ window.coverplanMaps.map.map.setView([{spot.y}, {spot.x}], 13, {{animate: false}}); }}")
    click_map_at(page, at)  # the facility just added: its source says where it came from
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    import re
    said = re.escape(t("src_map_added", lang, v="§")).replace("§", r"\d+")
    assert re.search(said, popup.inner_text()), popup.inner_text()
    assert "–，" not in popup.inner_text()
    page.reload()
    wait_map(page)
    assert not page.locator("#edit-status").inner_text().startswith(t("edit_done_after_reload", lang)[:3])


def test_brief_key_explains_cluster_bubbles(page, server):
    resp = server.app.test_client().post("/api/proposals?wait=120", json={"type": "day_care", "p": 50})
    assert resp.status_code == 201
    pid = resp.get_json()["proposal"]["id"]
    page.goto(page.base + f"/proposals/{pid}/brief?lang=en")
    page.locator(".brief-key .k-cluster").wait_for()
    assert t("brief_cluster_key", "en") in page.locator(".brief-key").inner_text()


def test_an_upgrades_cluster_bubbles_are_said_as_facilities(page, server):
    """QA 31: the brief's key called an upgrade's clustered bubbles "clustered proposed sites": they gather
    existing facilities to upgrade (a conversion's words are its own, though the homes are too few to cluster)."""
    key = "upgraded"
    resp = server.app.test_client().post("/api/proposals?wait=120", json={"type": "mutual_aid", "kind": "upgrade",
                                                                           "k": 50})
    assert resp.status_code == 201, resp.data[:300]
    pid = resp.get_json()["proposal"]["id"]
    page.goto(page.base + f"/proposals/{pid}/brief?lang=en")
    page.locator(".brief-key .k-cluster").wait_for()
    said = page.locator(".brief-key").inner_text()
    assert t(f"brief_cluster_key_{key}", "en") in said and t("brief_cluster_key", "en") not in said, said
