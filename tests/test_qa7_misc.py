"""QA7 fixes: an account PATCH names every unknown field; `solve` refuses p < 1 like `propose`;
English county names on the compare page and the CLI; the unit of the proposals' cost saving;
place search finds counties (Chinese and English) and townships by their county."""
from __future__ import annotations

import pytest

from browser import page, browser, server, wait_map  # noqa: F401  (fixtures for the map search test)
from accounts import accounts_app
from accounts import signed_in as as_user

@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = accounts_app(tmp_path_factory.mktemp("qa7"), (("boss", "admin", None), ("li", "viewer", None)))
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


# -- 1: every unknown field of a PATCH is named --------------------------------------------------
def test_patch_names_every_unknown_field(app):
    c = as_user(app, "boss")
    r = c.patch("/api/admin/users/li", json={"bogus": 1, "passwrd": "x", "role": "planner"})
    assert r.status_code == 400
    body = r.get_json()
    assert '"bogus"、"passwrd"' in body["message_zh"] and "role、county、disabled" in body["message_zh"]
    assert 'Unknown fields "bogus", "passwrd"' in body["message_en"]
    assert "role, county, disabled" in body["message_en"]
    for text in (body["message_zh"], body["message_en"]):
        assert "[" not in text and "'" not in text
    assert app.extensions["coverplan"]["users"].by_name("li").role == "viewer"


def test_patch_with_very_many_unknown_fields_stays_short(app):
    c = as_user(app, "boss")
    r = c.patch("/api/admin/users/li", json={f"f{i:04d}": i for i in range(2000)})
    assert r.status_code == 400
    body = r.get_json()
    assert '"f0000"' in body["message_en"] and '"f0009"' in body["message_en"] and '"f0010"' not in body["message_en"]
    assert "…" in body["message_en"] and "……" in body["message_zh"]
    assert len(body["message_zh"]) < 400


# -- 2: the web form refuses p < 1 as `solve` and `propose` do ------------------------------------
@pytest.mark.parametrize("p", [0, -1, "0"])
def test_web_proposal_refuses_p_below_one(app, p):
    c = as_user(app, "boss")
    r = c.post("/api/proposals", json={"type": "day_care", "model": "pmedian", "p": p})
    assert r.status_code == 400
    body = r.get_json()
    assert "不小于 1" in body["message_zh"] and "at least 1" in body["message_en"]


# -- 3: English county names on the compare page and in the CLI's county lists -------------------
@pytest.fixture(scope="module")
def pair(app):
    c = as_user(app, "boss")
    ids = []
    for p in (3, 5):
        r = c.post("/api/proposals?wait=120", json={"type": "day_care", "p": p})
        assert r.status_code == 201, r.data[:300]
        ids.append(r.get_json()["proposal"]["id"])
    return ids


def _township_cells(html: str) -> list[str]:
    import re
    # the townships table is the page's last one: its first cells name township and county
    return re.findall(r"<tr><td>([^<]*)</td><td>(?:[^<]*)</td><td>", html.rsplit("<table", 1)[-1])


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_townships_name_the_county_in_the_page_language(app, pair, lang):
    c = as_user(app, "boss")
    r = c.get(f"/proposals/compare?a={pair[0]}&b={pair[1]}&lang={lang}")
    assert r.status_code == 200
    cells = _township_cells(r.get_data(as_text=True))
    assert cells
    counties = ("区", "县", "市")
    if lang == "zh":
        assert all(cell.endswith(("区）", "县）", "市）")) for cell in cells), cells
    else:
        assert all(cell.endswith((" District)", " County)", " City)")) for cell in cells), cells
        assert not any(f"{k}）" in cell or "（" in cell for cell in cells for k in counties), cells


def test_cli_county_lists_speak_english(capsys, shiyan):
    from cli.main import main
    from planner.coverage import county_names_en

    en = set(county_names_en(shiyan.counties))
    zh = set(shiyan.counties["name"].astype(str))
    for argv in (["region", "info"], ["coverage", "--type", "day_care"], ["access", "--type", "day_care"]):
        assert main(["--lang", "en", *argv]) == 0
        out = capsys.readouterr().out
        assert all(name in out for name in en), (argv, out)
        assert not any(name in out for name in zh), (argv, out)
        assert main(["--lang", "zh", *argv]) == 0
        out = capsys.readouterr().out
        assert all(name in out for name in zh), (argv, out)
    # the table's columns stay aligned with the longer English names
    assert main(["--lang", "en", "region", "info"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln[:6].isdigit() or ln.startswith("code")]
    assert len({ln.index(ln.split()[-2]) + len(ln.split()[-2]) for ln in lines}) == 1, lines


# -- 4: the proposal table's cost_saving names its unit ------------------------------------------
@pytest.mark.parametrize("type_key, lang, header", [
    ("day_care", "zh", "cost_saving（60岁以上人口×米）"),
    ("day_care", "en", "cost_saving (people aged 60+ × m)"),
    ("welfare_home", "en", "cost_saving (people aged 80+ × min)"),
    ("cemetery", "zh", "cost_saving（需求单元×分钟）"),
])
def test_cost_saving_header_names_weight_times_cost_unit(type_key, lang, header):
    from planner.facility_types import get_type
    from planner.proposals import cost_saving_header

    assert cost_saving_header(get_type(type_key), lang) == header


@pytest.mark.parametrize("lang, header", [("zh", "加权出行成本减少（60岁以上人口×米）"),
                                          ("en", "Weighted travel cost saved (people aged 60+ × m)")])
def test_cli_propose_out_names_the_unit_of_cost_saving(tmp_path, capsys, lang, header):
    import pandas as pd

    from cli.main import main

    for ext in ("csv", "xlsx"):
        out = tmp_path / f"p.{ext}"
        assert main(["--lang", lang, "propose", "--type", "day_care", "--p", "2", "--out", str(out)]) == 0
        # row 1 is the table's title (what it is, 示意), as the web exports have it
        df = pd.read_csv(out, encoding="utf-8-sig", skiprows=1) if ext == "csv" else pd.read_excel(out, skiprows=1)
        assert header in df.columns and "cost_saving" not in df.columns
        unit, weight = ("成本单位代码", "需求权重代码") if lang == "zh" else ("Cost unit code", "Demand weight key")
        assert (df[unit] == "m").all() and (df[weight] == "aged_60").all()
    capsys.readouterr()



# -- 5: place search finds counties by Chinese and English name, townships by their county ---------
@pytest.mark.parametrize("q, lang, name", [("房县", "zh", "房县"), ("房县", "en", "Fang County"),
                                           ("Fang", "en", "Fang County"), ("fang county", "zh", "房县"),
                                           ("ZHUSHAN", "en", "Zhushan County"), ("420325", "en", "Fang County")])
def test_search_finds_a_county_first(app, q, lang, name):
    c = as_user(app, "li")
    rows = c.get("/api/search", query_string={"q": q, "lang": lang, "limit": 30}).get_json()
    assert rows[0]["kind"] == "county" and rows[0]["name"] == name
    assert rows[0]["code"] in ("420325", "420323") and not rows[0]["approximate"]
    # then the county's townships, found by the county's name (and, for "Fang", townships whose own
    # name reads fang: 方滩乡)
    towns = [r for r in rows[1:] if r["kind"] == "township"]
    assert sum(r["county_name"] in ("房县", "竹山县") for r in towns) >= 10
    assert all(r["county_name"] in ("房县", "竹山县") or r["name"] in ("方滩乡", "关防乡") for r in towns)


def test_search_keeps_own_names_before_county_matches_and_survives_odd_input(app):
    c = as_user(app, "li")
    rows = c.get("/api/search", query_string={"q": "武当", "limit": 5}).get_json()
    assert rows[0]["name"] == "武当路街道" or rows[0]["name"].startswith("武当")  # unchanged for a place's own name
    assert all(r["kind"] != "county" for r in rows)
    rows = c.get("/api/search", query_string={"q": "郧阳", "limit": 60}).get_json()
    kinds = [r["kind"] for r in rows]
    assert kinds[0] == "county" and "township" in kinds
    for q in ("(", "[", ".*", "\\", "%", "县区\x00", " ", "'; drop table x;--", "Ｆａｎｇ"):
        r = c.get("/api/search", query_string={"q": q, "lang": "en"})
        assert r.status_code == 200 and isinstance(r.get_json(), list), q
    r = c.get("/api/search", query_string={"q": "县" * 51})
    assert r.status_code == 400


@pytest.mark.parametrize("lang, q, name", [("zh", "房县", "房县"), ("en", "Fang", "Fang County")])
def test_map_search_picks_a_county_and_frames_it(page, lang, q, name):
    page.goto(page.base + f"/map/day_care?lang={lang}")
    wait_map(page)
    page.fill(".map-search-input", q)
    page.wait_for_selector(".map-search-results li[data-i]")
    first = page.locator(".map-search-results li[data-i]").first.inner_text()
    assert first.startswith(name) and "420325" in first and "null" not in first
    page.press(".map-search-input", "Enter")
    page.wait_for_function("window.coverplanMaps.map.county === '420325'")
    assert page.evaluate("window.coverplanMaps.map.countySelect.value") == "420325"
    assert "county=420325" in page.url


# -- place names by pinyin (a later session): English pages keep the Chinese names ----------------
@pytest.mark.parametrize("q, first", [("huanglong", "黄龙镇"), ("Huang Long", "黄龙镇"), ("hlz", "黄龙镇"),
                                      ("wudangshan", "武当山特区"), ("liupo", "柳陂镇"), ("liubei", "柳陂镇"),
                                      ("changling", "长岭村委会"), ("yxx", "郧西县"), ("lüjiahe", "吕家河村委会")])
def test_search_finds_places_by_pinyin(app, q, first):
    c = as_user(app, "li")
    rows = c.get("/api/search", query_string={"q": q, "lang": "zh", "limit": 12}).get_json()
    assert rows and rows[0]["name"] == first, [r["name"] for r in rows]


def test_pinyin_search_starts_at_a_syllable_and_ranks_rare_readings_last(app):
    c = as_user(app, "li")
    names = [r["name"] for r in c.get("/api/search", query_string={"q": "uanglong", "limit": 50}).get_json()]
    assert not any(n.startswith("黄龙") for n in names)  # not from the middle of "huang"
    rows = c.get("/api/search", query_string={"q": "zw", "limit": 50}).get_json()
    names = [r["name"] for r in rows]
    # 枣园 reads zao yuan; 园 can also read wan, so it is found, after every usual-reading match
    assert names[0] == "张湾区" and "枣园村委会" in names
    assert names.index("枣园村委会") > max(i for i, n in enumerate(names) if n.startswith(("张湾", "朱湾", "章湾")))
    # a query that ends inside a syllable ("yunxi" on the way to 云霄) comes after the county's townships
    rows = c.get("/api/search", query_string={"q": "yunxi", "limit": 60}).get_json()
    kinds = [(r["kind"], r["county_name"]) for r in rows]
    assert kinds[0] == ("county", "郧西县") and all(k == ("township", "郧西县") for k in kinds[1:10])
