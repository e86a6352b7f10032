"""QA 32 (how much): the bed-target breakdown's county rows did not add up to its city row (分配前缺口 16,837 over
rows adding to 16,836; 分配后缺口 9,701 over 9,700, with a note that they "may differ by a bed or two"); /api/beds
and `coverplan beds --out` gave fractional beds (2835.2) and no total row, and the text no city total line; a
county planner's card came set to 全市 (his county's target spread over the city); the overview's tables ran off
a 390 px screen.

Now each figure is also given in whole beds (planner.beds.whole_beds: the city's figure rounded, split by largest
remainder over the counties and each county's over its townships), so the rows add up to the total exactly."""
from __future__ import annotations

import re

import pandas as pd
import pytest
from accounts import accounts_app, signed_in
from browser import browser, page, poll_js, server  # noqa: F401  (fixtures)

from planner.i18n import t
from test_qa21_cli import run

FANG = "420325"
WHOLE = ("required_whole", "supply_whole", "shortfall_whole", "shortfall_after_whole")
SUMMED = (*WHOLE, "allocated", "enlarge_existing", "new_beds", "new_sites", "beds_to_place", "demand")


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa32fd"), [("fang", "planner", FANG), ("city", "planner", None)])
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture
def var(tmp_path, monkeypatch):
    from geo import settings

    monkeypatch.setattr(settings, "VAR_DIR", tmp_path / "var")
    return tmp_path


def beds(app, **q) -> dict:
    r = signed_in(app, "city").get("/api/beds", query_string=q)
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def adds_up(rows: list[dict], total: dict) -> None:
    for key in SUMMED:
        assert all(isinstance(r[key], int) for r in rows), key
        assert sum(r[key] for r in rows) == total[key], (key, sum(r[key] for r in rows), total[key])


# -- 1: whole beds that add up, township -> county -> city --------------------------------------------------------
def test_the_city_breakdown_adds_up_in_whole_beds(shared):
    out = beds(shared, target=7136)
    city, counties, towns = out["citywide"], out["by_county"], out["by_township"]
    adds_up(counties, city)
    adds_up(towns, city)
    for c in counties:  # each county's townships add up to its row
        adds_up([r for r in towns if r["county_code"] == c["county_code"]], c)
    # the city's whole figure is its exact one rounded (the capacity note's 16,837), the exact ones kept beside
    assert city["shortfall_whole"] == round(city["shortfall"]) == round(sum(r["shortfall"] for r in towns))
    assert city["required_whole"] == round(city["required"]) and city["supply_whole"] == round(city["supply"])
    assert abs(city["shortfall_after_whole"] - city["shortfall_after"]) < 1
    assert any(not float(c["required"]).is_integer() for c in counties)  # the exact figures are still there
    for r in [*towns, *counties]:  # each whole figure is its exact one within a bed
        for key in ("required", "supply", "shortfall"):
            assert abs(r[f"{key}_whole"] - r[key]) < 1, (key, r)
        assert r["shortfall_after_whole"] >= 0 and abs(r["shortfall_after_whole"] - r["shortfall_after"]) <= 1
    # a short township's row reads needed - now = shortfall (508.48 needed and none now read "508, 0, short 509"),
    # and one that is not short needs no more than it has
    for r in towns:
        gap = r["required_whole"] - r["supply_whole"]
        assert r["shortfall_whole"] == gap if r["shortfall"] > 0 else gap <= 0, r
        assert r["shortfall_after_whole"] == max(0, r["shortfall_whole"] - r["allocated"]), r
    # census facts do not drift
    assert city["demand"] == 610_589 == sum(r["demand"] for r in towns)
    assert out["allocated"] == city["allocated"] == 7136
    # the counties are those of /api/capacity (and of its note on the townships' shortfalls)
    cap = {c["county_code"]: c for c in signed_in(shared, "city").get("/api/capacity").get_json()["by_county"]}
    assert all(c["required_whole"] == cap[c["county_code"]]["required_whole"] for c in counties)
    assert all(c["supply_whole"] == cap[c["county_code"]]["supply_whole"] for c in counties)


def test_a_county_breakdown_adds_up_to_the_countys_own_figures(shared):
    city = {c["county_code"]: c for c in beds(shared, target=7136)["by_county"]}
    out = beds(shared, target=955, county=FANG)
    total, towns = out["citywide"], out["by_township"]
    adds_up(towns, total)
    adds_up(out["by_county"], total)
    assert total["allocated"] == 955
    # the county's figures before any bed is given are the same as in the city's breakdown
    for key in ("required_whole", "supply_whole", "shortfall_whole", "demand"):
        assert total[key] == city[FANG][key], key
    assert total["shortfall_after_whole"] == total["shortfall_whole"] - 955  # every bed went to a short township
    assert all(r["required_whole"] - r["supply_whole"] == r["shortfall_whole"] for r in towns if r["shortfall"] > 0)


@pytest.mark.parametrize("seed", range(5))
def test_whole_beds_add_up_on_any_fractions(seed):
    """Random needs (a county every township of which is short among them): the sums hold at every level."""
    import numpy as np

    from planner.beds import whole_beds

    rng = np.random.default_rng(seed)
    n = 40
    towns = pd.DataFrame({"county_code": [str(c) for c in rng.integers(0, 4, n)],
                          "required": rng.uniform(0, 400, n).round(2), "supply": rng.integers(0, 300, n).astype(float)})
    towns.loc[towns["county_code"] == "0", "supply"] = 0.0  # all short
    towns["shortfall"] = np.maximum(0.0, towns["required"] - towns["supply"])
    towns["allocated"] = np.minimum(np.ceil(towns["shortfall"]), rng.integers(0, 200, n)).astype(int)
    out = whole_beds(towns, towns)
    assert int(out["shortfall_whole"].sum()) == round(towns["shortfall"].sum())  # the city's figure, rounded
    assert int(out["supply_whole"].sum()) == round(towns["supply"].sum())
    assert abs(int(out["required_whole"].sum()) - towns["required"].sum()) <= 1.5
    for _, r in out.iterrows():
        gap = r["required_whole"] - r["supply_whole"]
        assert (r["shortfall_whole"] == gap) if r["shortfall"] > 0 else gap <= 0
        assert abs(r["shortfall_whole"] - r["shortfall"]) < 1.5 and r["shortfall_after_whole"] >= 0
    one = whole_beds(towns, towns[towns["county_code"] == "1"])  # a county alone: its rows as in the city's
    assert (one["required_whole"] == out.loc[one.index, "required_whole"]).all()


# -- the exports and the text -------------------------------------------------------------------------------------
def read(path, sheet=0) -> pd.DataFrame:
    if str(path).endswith(".csv"):
        return pd.read_csv(path, header=1, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    return pd.read_excel(path, sheet_name=sheet, header=1, dtype=str, keep_default_na=False)


def column(df: pd.DataFrame, word: str) -> list[str]:
    found = [h for h in df.columns if word in str(h)]
    if len(found) > 1:  # "Township" beside "Township code": the header that is the word itself
        found = [h for h in found if str(h) == word]
    assert len(found) == 1, (word, list(df.columns))
    return list(df[found[0]])


def test_the_xlsx_has_whole_beds_and_a_total_row_equal_to_the_sum(var, capsys):
    out = var / "beds.xlsx"
    code, _, err = run(capsys, "beds", "--target", "7136", "--out", str(out))
    assert code == 0, err
    for sheet, name_col in ((0, "乡镇（街道）"), (1, "县区")):
        df = read(out, sheet)
        names = column(df, name_col)
        assert names[-1] == "全市" and "全市" not in names[:-1]
        for word in ("按标准应有", "现有床位", "分配前缺口（", "分配后缺口（", "分配床位", "其中新建", "老人（人）"):
            cells = column(df, word)
            assert all(re.fullmatch(r"\d+", c) for c in cells), (word, cells[:5])  # whole beds: 2835, not 2835.2
            assert sum(int(c) for c in cells[:-1]) == int(cells[-1]), word
        assert int(column(df, "分配前缺口（")[-1]) == 16_837 and int(column(df, "老人（人）")[-1]) == 610_589
        assert int(column(df, "分配床位")[-1]) == 7136


def test_a_county_csv_ends_in_the_countys_total(var, capsys):
    out = var / "beds.csv"
    code, _, err = run(capsys, "--lang", "en", "beds", "--target", "955", "--county", FANG, "--out", str(out))
    assert code == 0, err
    df = read(out)
    assert column(df, "Township")[-1] == t("bt_county_total", "en", county="Fang County")
    assert column(df, "Township code")[-1] == ""
    for word in ("required by the standard", "Beds now", "Shortfall before", "Shortfall after", "New beds given"):
        cells = column(df, word)
        assert sum(int(c) for c in cells[:-1]) == int(cells[-1]), word
    assert int(column(df, "New beds given")[-1]) == 955


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_text_ends_in_the_city_total_line(capsys, lang):
    code, text, err = run(capsys, "--lang", lang, "beds", "--target", "7136")
    assert code == 0, err
    lines = text.splitlines()
    rows = [ln for ln in lines if ln.startswith("  42")]
    assert len(rows) == 8
    total = [ln for ln in lines if ln.split()[:1] == [t("cap_citywide", lang)]]
    assert len(total) == 1 and lines.index(total[0]) == lines.index(rows[-1]) + 1, text
    given = [int(re.search(r"\s([\d,]+) \(", ln).group(1).replace(",", "")) for ln in rows]
    assert re.search(r"\s7,136 \(", total[0]) and sum(given) == 7136
    assert ("扩建 1," if lang == "zh" else "enlarge 1,") in total[0]  # where they go, as each row says it


def test_a_county_text_ends_in_the_countys_total_line(capsys):
    code, text, err = run(capsys, "beds", "--target", "955", "--county", "房县")
    assert code == 0, err
    last = text.splitlines()[-1]
    assert last.split()[0] == "房县合计" and " 955 (" in last


# -- 2: a county planner's card comes set to his county -----------------------------------------------------------
def test_a_county_planners_bed_card_comes_set_to_his_county(shared):
    sel = lambda html: re.search(r'<select id="bt-county"[^>]*>.*?</select>', html, re.S).group(0)  # noqa: E731
    html = signed_in(shared, "fang").get("/").get_data(as_text=True)
    chosen = re.findall(r'<option value="([^"]*)" selected>', sel(html))
    assert chosen == [FANG]
    assert len(re.findall(r"<option ", sel(html))) == 9  # the city and the other counties still offered
    assert f'id="bt-county-hint">{t("bt_county_hint", "zh")}</p>' in html  # what his number means, shown
    city = signed_in(shared, "city").get("/?lang=en").get_data(as_text=True)
    assert "selected" not in sel(city)  # the whole city, as before
    assert f'id="bt-county-hint" hidden>{t("bt_county_hint", "en")}</p>' in city.replace("&#39;", "'")


# -- 1 and 3 in a browser: the card's rows add up; the overview's tables fit a 390 px phone --------------------------
def test_the_card_adds_up_and_the_tables_fit_a_phone(page):
    page.goto(page.base + "/")
    page.fill("#bt-target", "7136")
    page.click("#bt-run")
    poll_js(page, "document.getElementById('beds-target-card').dataset.ready === '1'")
    cells = page.evaluate("""[...document.querySelectorAll('#bt-table tbody tr')].map(r =>
        [...r.cells].slice(1).map(c => +c.textContent.replace(/,/g, '')))""")
    assert len(cells) == 9
    for i in range(len(cells[0])):
        assert sum(r[i] for r in cells[:-1]) == cells[-1][i], (i, [r[i] for r in cells])
    assert cells[-1][2] == 16_837  # the shortfall before, as /api/capacity's note says it
    text = page.inner_text("#bt-result")
    assert t("qa32fd_whole_note", "zh") in text and t("bt_round_note", "zh") not in text
    page.set_viewport_size({"width": 390, "height": 800})
    for lang in ("zh", "en"):
        page.goto(page.base + f"/?lang={lang}")
        poll_js(page, "!!(document.getElementById('targets-table') && document.getElementById('citywide-table'))")
        wide = page.evaluate("""['targets-table', 'provenance-table', 'citywide-table'].map(id => {
            const t = document.getElementById(id); return [id, t.scrollWidth - t.clientWidth]; })""")
        assert all(over <= 1 for _, over in wide), (lang, wide)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_beds_given_beyond_the_shortfall_are_explained(shiyan):
    """Round 2: with a target above every gap, each township's gap is closed in whole beds, so beds given exceed
    the shortfall's total by up to a bed a township; the notes say by how many."""
    from planner.beds import allocate_beds

    d = allocate_beds(shiyan, 100000)
    over = d["allocated"] - d["citywide"]["shortfall_whole"]
    assert 0 < over <= len(d["by_township"])
    assert any(f"多 {over:,} 张" in n for n in d["notes_zh"]) and any(f"by {over:,}." in n for n in d["notes_en"])
    small = allocate_beds(shiyan, 7136)
    assert not any("按整张床位补足" in n for n in small["notes_zh"])


def test_a_county_card_says_what_is_still_short_and_keeps_its_total_in_sight(page):
    """Round 3: 房县 with 1,672 beds read "1,794 → 3,466, 3,466 needed" (as if met) beside 462 still short in a total
    row below the card's fold."""
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(page.base + "/")
        page.select_option("#bt-county", "420325")
        page.fill("#bt-target", "1672")
        page.click("#bt-run")
        poll_js(page, "document.getElementById('beds-target-card').dataset.ready === '1'")
        short = page.evaluate("+[...document.querySelector('#bt-table tr.total').cells].pop().textContent.replace(/,/g, '')")
        assert short > 0 and f"仍缺 {short:,} 张" in page.inner_text("#bt-status")
        # the total row is drawn inside the table's scrolling box
        inside = page.evaluate("""(() => { const r = document.querySelector('#bt-table tr.total td').getBoundingClientRect();
            const w = document.querySelector('#bt-result .table-wrap').getBoundingClientRect();
            return r.bottom <= w.bottom + 1 && r.top >= w.top; })()""")
        assert inside, width
