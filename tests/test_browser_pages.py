"""The facility register and plan package pages in real headless Chromium."""
from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from browser import *  # noqa: F401,F403  (server, browser, page fixtures; wait_map, layer_count)

pytestmark = pytest.mark.browser


def wait_table(pg, table_id):
    pg.wait_for_function(f"document.getElementById('{table_id}').dataset.ready === '1'")


def query_of(url: str) -> dict:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


def test_facilities_filter_by_county_then_township(page, shiyan):
    reg = shiyan.facilities
    page.goto(page.base + "/facilities?lang=zh")
    wait_table(page, "facilities")
    assert page.locator("#facilities tbody tr").count() == len(reg)
    assert "示意" in page.locator("h1").inner_text()
    chips = page.eval_on_selector_all("#type-counts button", "bs => bs.map(b => [b.dataset.type, +b.dataset.count])")
    assert {k: n for k, n in chips if n} == reg["facility_type"].value_counts().to_dict()

    page.select_option("#f-county", "420325")
    page.wait_for_function("document.getElementById('facilities').dataset.ready === '1' && "
                           "[...document.querySelectorAll('#facilities tbody tr')].every(r => r.dataset.county === '420325')")
    in_county = reg[reg["county_code"] == "420325"]
    assert page.locator("#facilities tbody tr").count() == len(in_county)
    options = page.eval_on_selector_all("#f-township option", "os => os.map(o => o.value)")
    assert options[0] == "" and len(options) > 2 and all(o.startswith("420325") for o in options[1:])

    town = in_county["township_code"].value_counts().index[0]   # the township with most facilities
    page.select_option("#f-township", town)
    page.wait_for_function(f"document.getElementById('facilities').dataset.ready === '1' && "
                           f"[...document.querySelectorAll('#facilities tbody tr')].every(r => r.dataset.township === '{town}')")
    rows = in_county[in_county["township_code"] == town]
    assert page.locator("#facilities tbody tr").count() == len(rows)
    assert str(len(rows)) in page.locator("#row-count").inner_text()
    # every row links to its type's coverage map zoomed to the township
    href = page.locator("#facilities tbody tr a.to-map").first.get_attribute("href")
    assert href.startswith("/map/") and href.endswith(f"?township={town}")

    # the exports carry exactly these filters, and so do the address and the language switch
    for fmt in ("csv", "xlsx"):
        link = page.locator(f"#export-{fmt}").get_attribute("href")
        assert link.startswith(f"/api/facilities.{fmt}?")
        assert query_of(link) == {"county": "420325", "township": town, "lang": "zh"}
    assert query_of(page.url) == {"county": "420325", "township": town}
    assert query_of(page.locator("#lang-switch").get_attribute("href"))["township"] == town
    csv_text = page.app.test_client().get(page.locator("#export-csv").get_attribute("href")).data.decode("utf-8-sig")
    lines = csv_text.strip().splitlines()
    assert len(lines) == len(rows) + 2 and "示意" in lines[0] and "房县" in lines[0]

    # choosing another county drops a township that is not in it
    page.select_option("#f-county", "420302")
    page.wait_for_function("document.getElementById('facilities').dataset.ready === '1' && "
                           "[...document.querySelectorAll('#facilities tbody tr')].every(r => r.dataset.county === '420302')")
    assert page.locator("#f-township").input_value() == ""


def test_facilities_page_in_english_keeps_filters(page, shiyan):
    page.goto(page.base + "/facilities?type=cemetery&lang=zh")
    wait_table(page, "facilities")
    n = int((shiyan.facilities["facility_type"] == "cemetery").sum())
    assert page.locator("#facilities tbody tr").count() == n
    page.fill("#f-q", "房县")
    page.wait_for_function("document.getElementById('facilities').dataset.ready === '1' && "
                           "document.querySelectorAll('#facilities tbody tr').length < " + str(n))
    page.click("#lang-switch")
    page.wait_for_selector("html[lang='en']")
    wait_table(page, "facilities")
    assert page.locator("#f-type").input_value() == "cemetery" and page.locator("#f-q").input_value() == "房县"
    assert "Existing facility register" in page.locator("h1").inner_text()
    assert "illustrative" in page.locator("h1").inner_text()
    first = page.locator("#facilities tbody tr").first.inner_text()
    assert "Public-welfare cemetery" in first and "Fang" in first and "illustrative" in first


@pytest.fixture(scope="module")
def package(server):
    """Two saved proposals of different types."""
    client = server.app.test_client()
    out = {}
    for key, body in (("ec", {"type": "elderly_complex", "model": "mclp", "p": 3}),
                      ("cem", {"type": "cemetery", "model": "mclp", "p": 3})):
        resp = client.post("/api/proposals?wait=60", json=body)
        assert resp.status_code == 201, resp.data[:300]
        out[key] = resp.get_json()["proposal"]["id"]
    return out


def after_types(pg) -> set:
    return set(pg.eval_on_selector_all("#plan-targets tbody tr[data-after='1']", "rs => rs.map(r => r.dataset.type)"))


def test_plan_package_of_two_types(page, package):
    ec, cem = package["ec"], package["cem"]
    page.goto(page.base + f"/plan?proposals={ec},{cem}&lang=zh")
    wait_table(page, "plan-targets")
    assert after_types(page) == {"elderly_complex", "cemetery"}
    new_ec = page.locator("#plan-targets tr[data-key='elderly_complex_new_2025'] td.after").inner_text()
    new_cem = page.locator("#plan-targets tr[data-key='cemetery_new_2025'] td.after").inner_text()
    assert new_ec.startswith("3 / 8") and new_cem.startswith("3 / 30")
    unchanged = page.locator("#plan-targets tr[data-key='day_care_full_coverage'] td.after").inner_text()
    assert "不变" in unchanged
    summary = page.locator("#plan-summary").inner_text()
    total = page.locator("#plan-targets tbody tr").count()
    assert f"/ {total} 项目标达标" in summary
    assert page.locator(f"#plan-proposals input[value='{ec}']").is_checked()
    assert page.locator(f"#plan-proposals input[value='{cem}']").is_checked()
    page.screenshot(path=str(ARTIFACTS / "test_plan_package_of_two_types-zh.png"), full_page=True)

    # the language switch keeps the package
    page.click("#lang-switch")
    page.wait_for_selector("html[lang='en']")
    wait_table(page, "plan-targets")
    assert query_of(page.url)["proposals"] == f"{ec},{cem}"
    assert after_types(page) == {"elderly_complex", "cemetery"}
    assert "targets met after the package" in page.locator("#plan-summary").inner_text()
    assert page.locator(f"#plan-proposals input[value='{cem}']").is_checked()

    # unticking one proposal updates the address and the table
    page.locator(f"#plan-proposals input[value='{cem}']").uncheck()
    page.wait_for_function("document.getElementById('plan-targets').dataset.ready === '1' && "
                           "!document.querySelector(\"#plan-targets tr[data-type='cemetery'][data-after='1']\")")
    assert after_types(page) == {"elderly_complex"}
    assert query_of(page.url)["proposals"] == ec


def test_plan_link_to_a_deleted_proposal(page, package):
    page.goto(page.base + f"/plan?proposals=gone123,{package['ec']}&lang=zh")
    wait_table(page, "plan-targets")
    assert "gone123" in page.locator("#plan-missing").inner_text()
    assert query_of(page.url)["proposals"] == package["ec"]
    assert after_types(page) == {"elderly_complex"}
