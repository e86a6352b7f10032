"""QA 23 (pages):

1. /api-doc on the Chinese UI was English only: the Chinese page now says first that the reference is in
   English (its names and codes the same in both languages) and what it is for; the English page is as it was.
2. In open mode a JSON ``POST /account/password`` answered 302 -> / (the overview, 200, read as a change
   made): a script gets the 409 ``OpenMode`` of /api/admin/users, a form a page saying there is no password.
3. ``/proposals/compare?ids=a,b`` was dropped without a word ("pick two proposals"): it is ``?a=&b=``, and a
   parameter the page does not read is named with the address's right form (400).
4. On a phone the map's place search cut its placeholder (搜索乡镇、村（社区），…): the box takes the row
   while the layer list is folded, and where it is narrow it shows a shorter placeholder, whole.
"""
from __future__ import annotations

import re

import pytest
from browser import browser, page, poll_js, server, wait_map  # noqa: F401  (fixtures)

from planner.i18n import t

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from web.app import create_app
    app = create_app({"DB_PATH": str(tmp_path_factory.mktemp("qa23p") / "p.sqlite"), "TESTING": True})
    yield app
    app.extensions["coverplan"]["jobs"].shutdown()


@pytest.fixture(scope="module")
def pair(app):
    """Two saved proposals of one type."""
    c = app.test_client()
    ids = []
    for p in (1, 2):
        r = c.post("/api/proposals?wait=120", json={"type": "charity_station", "model": "mclp", "p": p,
                                                    "name": f"qa23-cmp-{p}"})
        assert r.status_code == 201, r.data[:300]
        ids.append(r.get_json()["proposal"]["id"])
    return ids


def main_text(html: str) -> str:
    body = html.split("<main", 1)[-1]
    return re.sub(r"<script.*?</script>|<style.*?</style>", "", body, flags=re.S)


# -- 1. the API reference's language, said on the Chinese page -------------------------------------------
def test_the_chinese_api_doc_says_the_reference_is_english_and_what_it_is_for(app):
    html = app.test_client().get("/api-doc?lang=zh").get_data(as_text=True)
    note = re.search(r'<p class="api-lang-note" id="api-doc-lang-note"[^>]*>(.*?)</p>', html, re.S)
    assert note, "no language note on the Chinese page"
    text = note.group(1)
    assert text == t("api_doc_en_note", "zh")
    assert "英文" in text and "字段名" in text and "错误代码" in text and "相同" in text and "脚本" in text
    # said before the reference itself (and the page's intro is still there)
    assert html.index('id="api-doc-lang-note"') < html.index('id="api-doc-intro"') < html.index('id="api-reference"')


def test_the_english_api_doc_has_no_such_note(app):
    html = app.test_client().get("/api-doc?lang=en").get_data(as_text=True)
    assert 'id="api-doc-lang-note"' not in html and "api-lang-note" not in main_text(html)
    assert '<h2 id="conventions">Conventions</h2>' in html


def test_english_strings_use_straight_quotes():
    for key in ("api_doc_en_note", "password_open_refused", "cmp_unknown_params", "cmp_ids_two", "cmp_ids_and_ab",
                "search_place_short"):
        en = t(key, "en")
        assert en != key and not re.search("[\u201c\u201d\u2018\u2019]", en), (key, en)
        assert t(key, "zh") != key


# -- 2. a password change in open mode ---------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_json_password_change_in_open_mode_is_refused_as_the_admin_api_refuses(app, lang):
    c = app.test_client()
    token = c.get("/api/csrf").get_json()["token"]
    r = c.post(f"/account/password?lang={lang}", json={"current": "x" * 8, "new": "y" * 8, "again": "y" * 8},
               headers={"X-CSRF-Token": token})
    assert r.status_code == 409, (r.status_code, r.headers.get("Location"))
    body = r.get_json()
    assert body["error"] == "OpenMode"
    # the shape and details of POST /api/admin/users in open mode
    admin = c.post(f"/api/admin/users?lang={lang}", json={"name": "qa23-x", "role": "viewer"},
                   headers={"X-CSRF-Token": token})
    assert admin.status_code == 409
    ref = admin.get_json()
    assert set(body) == set(ref) and body["details"] == ref["details"]
    assert body["message"] == (body["message_en"] if lang == "en" else body["message_zh"])
    # the reason is the admin page's; what was not done is the password's
    assert body["message_zh"].startswith(t("admin_open_embedded", "zh"))
    assert t("password_open_refused", "zh") in body["message_zh"]
    assert t("password_open_refused", "en") in body["message_en"]
    assert "coverplan users passwd" in body["message_en"]


def test_a_script_without_a_json_body_is_answered_in_json_too(app):
    c = app.test_client()
    r = c.post("/account/password")  # no body at all: still a script, not a form
    assert r.status_code == 409 and r.get_json()["error"] == "OpenMode"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_form_password_change_in_open_mode_says_so_on_the_page(app, lang):
    c = app.test_client()
    r = c.post(f"/account/password?lang={lang}",
               data={"current": "x" * 8, "new": "y" * 8, "again": "y" * 8, "next": "/townships"})
    assert r.status_code == 409, (r.status_code, r.headers.get("Location"))
    html = main_text(r.get_data(as_text=True))
    assert t("admin_open_title", lang) in html
    assert t("password_open_refused", lang) in html.replace("&#39;", "'")


def test_a_get_of_the_password_page_in_open_mode_still_goes_on(app):
    r = app.test_client().get("/account/password?next=/townships")
    assert r.status_code == 302 and r.headers["Location"].endswith("/townships")


# -- 3. the compare page's address ---------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_takes_ids_as_a_and_b(app, pair, lang):
    c = app.test_client()
    a, b = pair
    by_ab = c.get(f"/proposals/compare?a={a}&b={b}&lang={lang}")
    by_ids = c.get(f"/proposals/compare?ids={a},{b}&lang={lang}")
    assert by_ab.status_code == by_ids.status_code == 200
    html = by_ids.get_data(as_text=True)
    assert 'id="diff"' in html and "qa23-cmp-1" in html and "qa23-cmp-2" in html
    assert t("cmp_pick_two", lang) not in main_text(html)
    # the same page (A first, B second) as a=&b=
    assert main_text(html).index("qa23-cmp-1") < main_text(html).index("qa23-cmp-2")
    assert re.findall(r"qa23-cmp-\d", main_text(html)) == re.findall(r"qa23-cmp-\d", main_text(by_ab.get_data(as_text=True)))
    # spaces around the comma and a trailing one are no ids
    assert c.get(f"/proposals/compare?ids=%20{a}%20,%20{b}%20,&lang={lang}").status_code == 200


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_compare_names_a_parameter_it_does_not_read(app, pair, lang):
    c = app.test_client()
    r = c.get(f"/proposals/compare?id={pair[0]}&other={pair[1]}&lang={lang}")
    assert r.status_code == 400
    html = main_text(r.get_data(as_text=True))
    m = re.search(r'<p id="compare-params" role="alert">(.*?)</p>', html, re.S)
    assert m, html[:500]
    text = m.group(1).replace("&amp;", "&")
    assert "id" in text and "other" in text and "?a=" in text and "&b=" in text and "?ids=" in text
    assert t("cmp_pick_two", lang) not in html
    assert 'href="/proposals"' in html  # the way to the list
    # beside a good pair too: not ignored
    assert c.get(f"/proposals/compare?a={pair[0]}&b={pair[1]}&mode=network&lang={lang}").status_code == 400
    # lang and the cache-buster are no unknown parameters
    assert c.get(f"/proposals/compare?a={pair[0]}&b={pair[1]}&_=1&lang={lang}").status_code == 200


@pytest.mark.parametrize("query, key", [("ids={a}", "cmp_ids_two"), ("ids={a},{b},{a}", "cmp_ids_two"),
                                        ("ids=", "cmp_ids_two"), ("ids={a},{b}&a={a}", "cmp_ids_and_ab")])
def test_compare_says_what_is_wrong_with_ids(app, pair, query, key):
    c = app.test_client()
    a, b = pair
    for lang in ("zh", "en"):
        r = c.get("/proposals/compare?" + query.format(a=a, b=b) + f"&lang={lang}")
        assert r.status_code == 400
        html = main_text(r.get_data(as_text=True))
        m = re.search(r'<p id="compare-params" role="alert">(.*?)</p>', html, re.S)
        assert m, html[:500]
        n = len([i for i in query.format(a=a, b=b).split("&")[0][4:].split(",") if i])
        expected = t(key, lang, n=n) if key == "cmp_ids_two" else t(key, lang)
        assert m.group(1).replace("&amp;", "&") == expected


def test_compare_without_parameters_still_explains(app):
    r = app.test_client().get("/proposals/compare?lang=zh")
    assert r.status_code == 200 and t("cmp_pick_two", "zh") in r.get_data(as_text=True)


# -- 4. the map's place search on a phone ---------------------------------------------------------------------
FITS = """() => {
  const i = document.querySelector('.map-search-input'), cs = getComputedStyle(i);
  const c = document.createElement('canvas').getContext('2d'); c.font = cs.font;
  const room = i.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
  const r = i.getBoundingClientRect();
  return {ph: i.placeholder, room: room, need: c.measureText(i.placeholder).width, label: i.getAttribute('aria-label'),
          left: r.left, right: r.right};
}"""


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_place_search_shows_its_whole_placeholder(page, lang, size):
    page.set_viewport_size(size)
    page.goto(page.base + f"/map/elderly_complex?lang={lang}")
    wait_map(page)
    g = page.evaluate(FITS)
    # the whole placeholder, on the screen, with room to spare
    assert g["ph"] == t("search_place", lang), g
    assert g["need"] <= g["room"], g
    assert g["left"] >= 0 and g["right"] <= size["width"], g
    assert g["label"] == t("search_place", lang)
    page.screenshot(path=f"/tmp/qa23-search-{lang}-{size['width']}.png")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_beside_the_open_layer_list_the_search_gives_a_short_placeholder_that_fits(page, lang):
    page.set_viewport_size({"width": 360, "height": 780})  # the narrowest common phone
    page.goto(page.base + f"/map/welfare_home?lang={lang}")
    wait_map(page)
    toggle = page.locator(".leaflet-control-layers-toggle").bounding_box()
    page.mouse.move(toggle["x"] + toggle["width"] / 2, toggle["y"] + toggle["height"] / 2)  # a tap opens it
    poll_js(page, "document.querySelector('.leaflet-control-layers').classList.contains('leaflet-control-layers-expanded')")
    poll_js(page, f"document.querySelector('.map-search-input').placeholder === {t('search_place_short', lang)!r}")
    g = page.evaluate(FITS)
    assert g["need"] <= g["room"], g
    # the list and the box still side by side (QA 21)
    lst = page.locator(".leaflet-control-layers").bounding_box()
    assert g["right"] <= lst["x"], (g, lst)
    # folded again: the long one back
    page.mouse.move(40, 700)
    poll_js(page, "!document.querySelector('.leaflet-control-layers').classList.contains('leaflet-control-layers-expanded')")
    poll_js(page, f"document.querySelector('.map-search-input').placeholder === {t('search_place', lang)!r}")
