"""QA sweep 7 (pages): the overview's bed table shows the API's figures, the map's controls leave the
region visible, the capacity legend follows its layer."""
from __future__ import annotations

import pytest

from browser import *  # noqa: F401,F403


def _num(s: str) -> int:
    return int(s.replace(",", "").strip())


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_bed_table_matches_api_and_adds_up(page, lang):
    api = page.request.get(page.base + "/api/capacity").json()
    page.goto(page.base + f"/?lang={lang}")
    page.wait_for_selector("#beds-table tbody tr")
    rows = page.eval_on_selector_all("#beds-table tbody tr",
                                     "rows => rows.map(r => [...r.children].map(c => c.textContent))")
    assert len(rows) == 9
    *counties, city = rows
    # have, needed, shortfall (columns 1, 2, 5): the API's whole figures, the citywide row their sum
    for row, c in zip(counties, api["by_county"]):
        assert [_num(row[1]), _num(row[2]), _num(row[5])] == [c["supply_whole"], c["required_whole"],
                                                              c["shortfall_whole"]]
    for col in (1, 2):
        assert sum(_num(r[col]) for r in counties) == _num(city[col])
    assert _num(city[2]) == api["citywide"]["required_whole"] == 24424
    assert _num(city[5]) == api["citywide"]["shortfall_whole"] == 15064 == _num(city[2]) - _num(city[1])


# -- 6. the compare page: one minus sign (U+2212) for every negative delta --

@pytest.fixture(scope="module")
def cmp_pair(tmp_path_factory):
    from web.app import create_app

    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa7cmp") / "p.sqlite"), "TESTING": True,
                      "CSRF_ENABLED": False})
    c = app.test_client()
    ids = []
    for p in (2, 4):
        r = c.post("/api/proposals?wait=120", json={"type": "day_care", "p": p})
        assert r.status_code == 201, r.data[:300]
        ids.append(r.get_json()["proposal"]["id"])
    yield c, ids
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_deltas_use_one_minus_sign(cmp_pair, lang):
    import re
    c, (two, four) = cmp_pair
    deltas = []
    for a, b in ((two, four), (four, two)):  # both ways round: each delta is negative once
        html = c.get(f"/proposals/compare?a={a}&b={b}&lang={lang}").get_data(as_text=True)
        deltas += re.findall(r'<td class="num">([^<]*)</td></tr>', html.split("<table", 2)[1])
    deltas = [d for d in deltas if d and d != "–"]
    assert deltas and not [d for d in deltas if re.match(r"^-", d)], deltas  # no hyphen-minus
    negative = [d for d in deltas if d.startswith("−")]
    assert any(("个百分点" if lang == "zh" else " pt") in d for d in negative), deltas
    assert any(u in d for d in negative for u in (("米", "公里", "分钟") if lang == "zh" else ("m", "km", "min"))), deltas
    assert any(d.startswith("+") for d in deltas)

