"""English pages say their words in English (issue: a browser QA sweep of ?lang=en).

County names have English names (data/regions/shiyan/source/county_names_en.csv) and every
English page uses them: filters, the checklist, map layers and popups. Township, village and
facility names have none: they are proper names and stay Chinese, as does the 示意 label.
The plan's section references are numbered in English ("§9, §10", not "(九)、(十)").
The API reference (web/API.md) is shown with real headings, not raw Markdown.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from web.app import create_app

CJK = re.compile(r"[\u4e00-\u9fff]")
COUNTIES = {  # code: (zh, en)
    "420302": ("茅箭区", "Maojian District"), "420303": ("张湾区", "Zhangwan District"),
    "420304": ("郧阳区", "Yunyang District"), "420322": ("郧西县", "Yunxi County"),
    "420323": ("竹山县", "Zhushan County"), "420324": ("竹溪县", "Zhuxi County"),
    "420325": ("房县", "Fang County"), "420381": ("丹江口市", "Danjiangkou City"),
}
MAP_TYPES = ["elderly_complex", "mutual_aid", "welfare_home", "day_care", "funeral_home", "cemetery",
             "charity_station", "incubation_base", "mental_rehab"]
PAGES = ["/", *[f"/map/{k}" for k in MAP_TYPES], "/townships", "/facilities", "/plan", "/data", "/api-doc",
         "/proposals"]
#: Chinese that an English page may show on purpose besides the region's proper names:
#: the illustrative-data label, the switch to Chinese (named in Chinese), the city in the logo.
DELIBERATE = ["示意", "中文", "十堰"]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("en") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def proper_names(shiyan) -> list[str]:
    """Names with no English form (townships, villages, facilities, scenic areas), longest first."""
    names = set(shiyan.townships["name"]) | set(shiyan.villages["name"]) | set(shiyan.facilities["name"])
    names |= set(shiyan.scenic_areas["name"])
    return sorted((str(n) for n in names if isinstance(n, str) and n), key=len, reverse=True)


class VisibleText(HTMLParser):
    """What a reader sees of a page: text outside scripts and styles, option labels, and the
    title/placeholder/aria-label/alt attributes. The subtree of an element whose id is in
    ``skip`` is left out."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, skip=()):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.skip, self.depth, self.hidden = set(skip), 0, 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth:
            if tag not in self.VOID:
                self.depth += 1
            return
        if a.get("id") in self.skip and tag not in self.VOID:
            self.depth = 1
            return
        if tag in ("script", "style"):
            self.hidden += 1
        for k in ("title", "placeholder", "aria-label", "alt"):
            if a.get(k):
                self.chunks.append(a[k])

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
        elif tag in ("script", "style") and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if not self.depth and not self.hidden and data.strip():
            self.chunks.append(data.strip())


def visible(html: str, skip=()) -> list[str]:
    p = VisibleText(skip)
    p.feed(html)
    return p.chunks


def unexpected_chinese(chunks: list[str], allowed: list[str]) -> list[str]:
    """The chunks that still hold Chinese once the allowed names and words are taken out."""
    bad = []
    for chunk in chunks:
        if not CJK.search(chunk):
            continue
        rest = chunk
        for name in allowed:
            if name in rest:
                rest = rest.replace(name, " ")
                if not CJK.search(rest):
                    break
        if CJK.search(rest):
            bad.append(chunk)
    return bad


def get(client, url: str, lang: str = "en"):
    resp = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
    assert resp.status_code == 200, (url, resp.status_code)
    return resp


# -- no Chinese UI text on English pages --------------------------------------------------------------
@pytest.mark.parametrize("url", PAGES)
def test_english_page_has_no_chinese_but_proper_names(client, proper_names, url):
    html = get(client, url).get_data(as_text=True)
    # the map's assumptions are the facility type's text from data/facility_types.toml:
    # checked on their own below (test_assumptions_*); the API reference (web/API.md) is an
    # English document whose examples quote Chinese answers on purpose (test_api_doc_*)
    chunks = visible(html, skip={"assumptions", "api-reference"})
    assert chunks, url
    bad = unexpected_chinese(chunks, proper_names + DELIBERATE)
    assert not bad, f"{url}: Chinese UI text on the English page: {bad[:10]}"
    for zh, en in COUNTIES.values():
        assert not any(zh in c for c in chunks), f"{url}: county {zh} not in English ({en})"


@pytest.mark.parametrize("url", ["/townships", "/facilities", "/proposals"])
def test_county_filters_name_counties_in_the_page_language(client, url):
    en = get(client, url, "en").get_data(as_text=True)
    zh = get(client, url, "zh").get_data(as_text=True)
    for code, (zh_name, en_name) in COUNTIES.items():
        assert re.search(rf'<option value="{code}"[^>]*>{re.escape(en_name)}</option>', en), (url, en_name)
        assert re.search(rf'<option value="{code}"[^>]*>{re.escape(zh_name)}</option>', zh), (url, zh_name)
    if url != "/proposals":  # its template is not this change's (it still says "all")
        assert ">All</option>" in en and ">全部</option>" in zh  # a filter's first option starts with a capital


def test_data_page_headers_are_capitalised(client):
    html = get(client, "/data").get_data(as_text=True)
    assert '>Rows in layer</th>' in html and '>rows in layer</th>' not in html
    assert '>图层行数</th>' in get(client, "/data", "zh").get_data(as_text=True)


# -- county names in what the scripts draw --------------------------------------------------------------
def test_checklist_rows_name_the_county_in_the_page_language(client):
    en = client.get("/api/townships?type=cemetery&lang=en").get_json()
    zh = client.get("/api/townships?type=cemetery&lang=zh").get_json()
    assert len(en) == len(zh) == 129
    assert {r["county_name"] for r in en} == {e for _, e in COUNTIES.values()}
    assert {r["county_name"] for r in zh} == {z for z, _ in COUNTIES.values()}
    assert all(CJK.search(r["township_name"]) for r in en)  # proper names stay
    # the county filter still takes a Chinese name, and its rows are English
    by_name = client.get("/api/townships?type=cemetery&county=竹山县&lang=en").get_json()
    assert by_name and {r["county_name"] for r in by_name} == {"Zhushan County"}


def test_map_layers_carry_english_county_names(client):
    layers = client.get("/api/region/layers").get_json()
    counties = {f["properties"]["code"]: f["properties"] for f in layers["counties"]["features"]}
    assert {c: (p["name"], p["name_en"]) for c, p in counties.items()} == COUNTIES
    towns = layers["townships"]["features"]
    assert all(t["properties"]["county_name_en"] == COUNTIES[t["properties"]["county_code"]][1] for t in towns)
    cov = client.get("/api/coverage/elderly_complex/layers?lang=en").get_json()
    assert all(t["properties"]["county_name_en"] == COUNTIES[t["properties"]["county_code"]][1]
               for t in cov["townships"]["features"])
    cands = [f["properties"] for f in cov["candidates"]["features"]]
    assert cands and all(p["county_name_en"] in {e for _, e in COUNTIES.values()} for p in cands)
    found = client.get("/api/search?q=城关镇").get_json()
    assert found and all(r["county_name_en"] == dict(COUNTIES.values())[r["county_name"]] for r in found)


def test_map_script_uses_the_english_county_names():
    """The county select and popups of web/static/map.js read name_en / county_name_en in English
    (the browser test test_english_pages_browser.py watches them drawn)."""
    from pathlib import Path
    js = (Path(__file__).resolve().parent.parent / "web" / "static" / "map.js").read_text("utf-8")
    assert "name_en" in js and "county_name_en" in js
    assert "esc(p.county_name)" not in js and "esc(place.county_name)" not in js
    assert "esc(f.properties.name) + \"</option>\"" not in js


# -- the plan's sections, and the targets without a facility type ---------------------------------------
def test_targets_number_their_sections_in_english(client):
    en = client.get("/api/targets?lang=en").get_json()
    zh = client.get("/api/targets?lang=zh").get_json()
    by_key = {r["key"]: r for r in en}
    assert by_key["elderly_complex_new_2025"]["section_text"] == "§9, §10"
    assert by_key["charity_fund_share"]["section_text"] == "§24"
    assert by_key["incubation_base_every_county"]["section_text"] == "§22"
    assert all(re.fullmatch(r"§\d+(, §\d+)*", r["section_text"]) for r in en), [r["section_text"] for r in en]
    assert all(r["section_text"] == r["section"] for r in zh)  # Chinese: as the plan writes them
    assert [r["section"] for r in en] == [r["section"] for r in zh]  # the data field itself is unchanged
    village = [r for r in en if r["kind"] == "attribute_share"]
    assert village and {r["type_name"] for r in village} == {"Village/community programme"}
    assert not any(CJK.search(r["type_name"] + r["text"] + r["section_text"]) for r in en)
    rows = client.get("/api/coverage?lang=en").get_json()
    assert {r["key"]: r["section_text"] for r in rows}["welfare_home"] == "§10"


def test_overview_script_shows_the_section_text():
    from pathlib import Path
    js = (Path(__file__).resolve().parent.parent / "web" / "static" / "overview.js").read_text("utf-8")
    assert "r.section_text" in js


def test_overview_bed_standard_source_in_english(client):
    html = get(client, "/").get_data(as_text=True)
    source = re.search(r'data-bed-source="([^"]*)"', html).group(1)
    assert "work plan §8" in source and "§(八)" not in source


def test_section_numbers_unit():
    from web.service import cn_number, english_text, section_text
    assert [cn_number(s) for s in ("九", "十", "十七", "二十", "二十四", "一百零二", "x")] == [9, 10, 17, 20, 24, 102, None]
    assert section_text("(九)、(十)", "en") == "§9, §10" and section_text("(九)、(十)", "zh") == "(九)、(十)"
    assert section_text("第九条", "en") == "第九条"  # not a numbered section: left as it is
    assert section_text("", "en") == ""
    names = {"竹山县": "Zhushan County", "房县": "Fang County"}
    assert (english_text("homes in 竹山县 and 房县 (network, §十), at least 50 (§九). See §(八))", names)
            == "homes in Zhushan County and Fang County (network, §10), at least 50 (§9). See §8)")


# -- the facility types' assumptions on the map page ---------------------------------------------------
def _assumptions(client, type_key: str, lang: str = "en") -> str:
    html = get(client, f"/map/{type_key}", lang).get_data(as_text=True)
    body = re.search(r'<section class="card small" id="assumptions">(.*?)</section>', html, re.S).group(1)
    return " ".join(visible(body))


@pytest.mark.parametrize("type_key", MAP_TYPES)
def test_assumptions_number_sections_and_name_counties_in_english(client, type_key):
    text = _assumptions(client, type_key)
    assert not re.search(r"§\s*[(（]?[一二三四五六七八九十]", text), text
    assert not any(zh in text for zh, _ in COUNTIES.values()), text


def test_assumptions_funeral_homes_name_the_counties(client):
    text = _assumptions(client, "funeral_home")
    assert "Zhushan County" in text and "Zhuxi County" in text and "Fang County" in text
    assert "竹山县" in _assumptions(client, "funeral_home", "zh")


@pytest.mark.parametrize("type_key", ["elderly_complex", "welfare_home", "cemetery", "disabled_care", "meal_service",
                                      "incubation_base", "mental_rehab"])
def test_assumptions_have_no_chinese_words(client, proper_names, type_key):
    text = _assumptions(client, type_key)
    assert not unexpected_chinese([text], proper_names + DELIBERATE), text


# -- the API reference ----------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_api_doc_is_html_with_headings(client, lang):
    html = get(client, "/api-doc", lang).get_data(as_text=True)
    assert re.search(r'<h2 id="conventions">Conventions</h2>', html)
    assert re.search(r'<h3 id="[^"]+">Health and region</h3>', html)
    assert '<a href="#endpoints">Endpoints</a>' in html  # contents
    assert not re.search(r"^\s*#{1,6} ", html, re.M), "raw Markdown headings"
    assert re.search(r"<pre><code[^>]*>", html)  # fenced examples as code
    title = re.search(r"<h1>(.*?)</h1>", html).group(1)
    if lang == "zh":
        assert title == "接口文档" and "以下参考文档为英文" in html
    else:
        assert title == "API reference" and not CJK.search(title)


def test_api_doc_renders_tables_lists_and_inline_code(client):
    """Python-Markdown renders the whole file: its tables, lists and `code`, not only headings."""
    text = (Path(__file__).parent.parent / "web" / "API.md").read_text("utf-8")
    html = get(client, "/api-doc", "en").get_data(as_text=True)
    body = html[html.index('id="api-reference"'):]
    if re.search(r"^\|.*\|\s*$", text, re.M):
        assert "<table>" in body and "<th>" in body
    if re.search(r"^[-*] ", text, re.M):
        assert "<li>" in body
    assert "<code>" in body and "`" not in re.sub(r"<pre>.*?</pre>", "", body, flags=re.S)
